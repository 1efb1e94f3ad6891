package views

// View models for the patient chart. Package present fills them from FHIR; handlers add URLs,
// "as of" times and warnings. Every string is final text: views only lay it out.

// Fragment ids on the chart page, shared by id= and hx-target= so they cannot drift apart.
const (
	BannerID       = "patient-banner"
	VitalsStripID  = "section-vitals-strip"
	TimelineID     = "section-encounters"
	VitalsTableID  = "section-vitals"
	LabsID         = "section-labs"
	SocialID       = "section-social"
	AnalyteID      = "section-analyte"
	TimelineListID = "encounter-list"
	CriticalID     = "critical-results"
)

// Query parameters of the chart's htmx requests for an analyte's history. htmx adds them (hx-vals)
// to the request of the element that carries them and of its descendants, so no link's href has
// them: without JavaScript, or opened in a new tab, an analyte is its own page, which neither takes
// the focus nor offers Close.
const (
	// AnalyteOpenParam is sent by the analyte links of the chart's tables, matrix and vitals strip:
	// the user opened the history, so its heading takes the keyboard focus (Section.Focus).
	AnalyteOpenParam = "open"
	// AnalytePanelParam is sent by the controls inside the chart's analyte panel (Refresh, time
	// ranges, Retry), which inherit it from the panel: the answer is the panel again, Close and all.
	AnalytePanelParam = "panel"
)

// NotRecorded is what every view shows for a value Epic did not send.
const NotRecorded = "Not recorded"

// Section is what every chart section shows around its content: a heading, when the data was
// fetched, a Refresh control, Epic's warnings, and — when its Epic search failed — an error alert
// with a Retry button instead of the content.
type Section struct {
	ID         string // fragment id (one of the *ID constants); the section swaps itself (outerHTML)
	Title      string // heading text, e.g. "Latest vitals"
	URL        string // the section's own URL: Retry's link and the <noscript> link use it
	RetryURL   string // what Retry asks htmx for: URL with FocusParam, so the answer can take focus
	RefreshURL string // URL with refresh=1; empty hides the Refresh control
	AsOf       string // "as of 10:42" (fetch time in the clinic zone); empty hides it
	Warnings   []Alert
	Failure    *Alert // set when the section's Epic search failed: shown with Retry instead of content
	// Focus marks the htmx answer to a control it replaces (Retry, "Show all …"; see FocusParam),
	// which had the keyboard focus: the section's heading takes it instead of the page's top.
	// Never set on a first load, where it would pull the focus away from wherever the user is.
	Focus bool
	// Closable marks the chart's analyte panel, an htmx answer swapped into the analyte region of a
	// patient page (never the analyte's own page): a Close control, which app.js turns into emptying
	// the region again, and AnalytePanelParam on the panel for its own controls' requests.
	Closable bool
}

// IDRow is a labelled value (an identifier, a detail line).
type IDRow struct {
	Label string
	Value string
}

// Banner is the sticky patient banner shown on every patient page.
type Banner struct {
	Name         string // "Camila Maria Lopez"; NotRecorded when absent
	Preferred    string // the name the patient goes by when it differs from Name ("Ali Mychart"); else empty
	MRN          string
	SharedMRN    int    // how many patients have this MRN, when the clinician chose this one among them; else 0
	BirthDate    string // as given: "Sep 12, 1987", "Mar 1970", "1970"
	Age          string // "38 y", "14 mo", "37–38 y"; empty when unknown
	Sex          string
	Deceased     bool
	DeceasedDate string // empty when Epic only said deceased=true
	OtherIDs     []IDRow
	Address      []string // lines
	Phone        string
	Language     string
	PCP          string
	ChartURL     string // link back to the whole chart; empty on the chart page itself
}

// FlagLevel classifies an interpretation for styling. FlagNone means no interpretation was sent.
type FlagLevel string

// Flag levels.
const (
	FlagNone     FlagLevel = ""
	FlagNormal   FlagLevel = "normal"
	FlagHigh     FlagLevel = "high"
	FlagLow      FlagLevel = "low"
	FlagCritical FlagLevel = "critical"
	FlagAbnormal FlagLevel = "abnormal"
	FlagUnknown  FlagLevel = "unknown" // a code Chartside does not know: shown as given, never as normal
)

// Flag is an interpretation in words plus an icon, so it never relies on colour alone.
type Flag struct {
	Text  string // "High", "Critical low", "(NONE)"
	Level FlagLevel
	Icon  string // "▲", "▼", "‼", "◆", "?"; empty for normal/none
	// Also are the other interpretations Epic sent for the same result (or its components), less
	// serious than this one, each shown after it: a "High" beside a code Chartside does not know,
	// or beside Epic's "(NONE)", is never dropped.
	Also []Flag
}

// Abnormal reports whether the flag, or any interpretation shown with it, should make its value
// stand out.
func (f Flag) Abnormal() bool {
	switch f.Level {
	case FlagHigh, FlagLow, FlagCritical, FlagAbnormal:
		return true
	}
	for _, a := range f.Also {
		if a.Abnormal() {
			return true
		}
	}
	return false
}

// VitalTile is one latest vital sign in the strip.
type VitalTile struct {
	Label      string // "BP", "Pulse"...
	Value      string // "118/76", "72"; NotRecorded when there is none
	Unit       string // as sent: "mm[Hg]", "/min"
	Time       string // "Apr 24, 2026 16:10 CDT"
	Flag       Flag
	Status     string // non-final status shown next to the value ("preliminary"); empty for final
	AnalyteURL string // trend link; empty for none
}

// VitalsStrip is the latest-vitals strip.
type VitalsStrip struct {
	Section
	Items       []VitalTile
	StaleNotice string // "Vitals are 3 days old"; empty when fresh
}

// Option is one choice of a select.
type Option struct {
	Value    string
	Label    string
	Selected bool
}

// TimelineFilters is the class/type filter form of the encounter timeline.
type TimelineFilters struct {
	Action  string // GET URL of the form (the encounters section URL, without query)
	Before  string // hidden "before" value (YYYY-MM-DD) kept when filtering
	Classes []Option
	Types   []Option
}

// EncounterRow is one encounter in the timeline.
type EncounterRow struct {
	DOMID         string // unique element id for the expandable row
	DetailURL     string // GET the drill-down fragment; empty for no drill-down
	When          string // "Jun 6, 2023 11:20 – 12:35 CDT", "Jun 2, 2023"
	Class         string
	Type          string
	Status        string
	StatusNotable bool // cancelled, entered-in-error, planned...: shown as a tag
	Location      string
	Clinician     string // who saw the patient: the attending, else the primary performer, else another participant
	// ClinicianRole labels Clinician: "Clinician", or the role of the only participant named
	// when none of them saw the patient ("Referrer"). Empty reads as "Clinician".
	ClinicianRole string
	// Name is the encounter for a screen reader, in its Details control: type, time and location,
	// numbered ("(2 of 2)") when another listed encounter has the same. Empty: type and time.
	Name string
}

// MonthGroup is the encounters of one month, newest first.
type MonthGroup struct {
	Label   string // "June 2023"
	Entries []EncounterRow
}

// Timeline is the encounter timeline section.
type Timeline struct {
	Section
	Window         string // "July 2022 – June 2023": the date window shown, in whole months
	Groups         []MonthGroup
	Empty          string // message when no encounters are in the window
	Filters        TimelineFilters
	LoadEarlierURL string // next window; empty when there is nothing earlier to ask for
}

// TimelineMore is what "Load earlier" returns: the next window's groups and a new button.
type TimelineMore struct {
	Window         string
	Groups         []MonthGroup
	Empty          string
	LoadEarlierURL string
}

// ObsRow is one observation in a table.
type ObsRow struct {
	Name          string
	Value         string // exactly as sent ("7.20", "<5", "118/76", "Not recorded: Patient refused")
	Numeric       bool   // Value reads as a number: right-aligned so digits line up; words start on the left
	Detail        string // components beside the value ("Type: Cigarettes; Packs/Day: 1 Packs/Day")
	Unit          string
	NoUnit        bool   // a measured number Epic sent without a unit: the unit cell says so
	Range         string // "150–399 10*3/uL" or Epic's range text
	Flag          Flag
	When          string
	Status        string   // "final", "preliminary", "amended", "entered-in-error"...
	StatusNotable bool     // not final: shown as a tag
	Notes         []string // Epic's comments on the result, one per note, with author and time
	AnalyteURL    string
}

// ObsTable is a table of observations (vitals, labs, an encounter's results, an analyte's history).
type ObsTable struct {
	Section
	Caption string
	Rows    []ObsRow
	Empty   string     // message when there are no rows
	TestID  string     // data-testid of the table ("vitals-table", "labs-table"...)
	More    *TableMore // set when the table shows only its newest rows; nil when it shows them all
	// Older points out of an empty table to older data (ObsFragment shows it; labs have their own).
	Older *Suggestion
}

// TableMore is the line under a table that shows only its newest rows: how many it shows out of
// how many, and a control that appends the older rows to the table in place.
type TableMore struct {
	ID      string // element id of the line; the older rows' answer replaces its content
	RowsID  string // element id of the table body the older rows are appended to
	Text    string // "Showing the newest 100 of 255 results."
	URL     string // the next older rows; empty when none are left
	Context string // what the control loads, for screen readers: "lab results"
}

// ObsMore is the answer to "Show older": the table's next rows and its updated line.
type ObsMore struct {
	Rows []ObsRow
	More TableMore
}

// SocialItem is one social-history item (smoking, alcohol use...): its latest value, and its
// earlier values, always counted and listed on demand.
type SocialItem struct {
	Latest       ObsRow
	EarlierCount int      // how many earlier values of the item are on record
	EarlierLabel string   // "History (12)", "12 earlier, listed below", "None"
	Earlier      []ObsRow // newest first; listed only when the item is expanded (on demand, print)
	HistoryURL   string   // lists the earlier values in place; empty when there are none
}

// SocialHistory is the social history section: the latest value of each item.
type SocialHistory struct {
	Section
	Caption string
	Items   []SocialItem
	Empty   string // message when there is no social history
}

// Preset is a link among alternatives (time ranges, table/matrix view).
type Preset struct {
	Label   string
	URL     string
	Current bool
}

// MatrixCell is one result in the lab matrix; empty Value means no result that day.
type MatrixCell struct {
	Value string // value with comparator; several results the same day are joined with "; "
	Flag  Flag
}

// MatrixRow is one test across the matrix dates.
type MatrixRow struct {
	Name       string
	Unit       string
	Range      string
	AnalyteURL string
	Cells      []MatrixCell // one per LabMatrix.Dates entry
}

// LabMatrix is labs as tests × dates (newest date first); tests without data are left out.
type LabMatrix struct {
	Caption string
	Dates   []string
	Rows    []MatrixRow
	Empty   string
}

// Labs is the labs section: a table or a matrix, with range presets.
type Labs struct {
	Section
	Matrix     bool // show Matrix instead of Table
	Views      []Preset
	Ranges     []Preset
	Table      ObsTable
	LabMatrix  LabMatrix
	RangeLabel string // "Last 6 months"
	// Older points out of an empty range: whether there are older results, and a link to them.
	Older *Suggestion
	// Critical, when set, is sent along out of band to fill the critical-results summary under
	// the banner (CriticalSlot), which the labs' own search feeds.
	Critical *CriticalResults
}

// Suggestion is a note with a link that leads out of an empty view ("Older results are on record.
// Show all dates").
type Suggestion struct {
	Text  string
	Label string // link text; no link when URL is empty
	URL   string
}

// ChartTick is an axis tick.
type ChartTick struct {
	Pos   float64 // x for the time axis, y for the value axis (SVG user units)
	Label string
}

// ChartPoint is one plotted result.
type ChartPoint struct {
	X, Y     float64
	Abnormal bool
	Marker   string // text drawn beside an abnormal point ("H", "LL", "?")
	Title    string // accessible text: "7.2 % on Mar 1, 2024, High"
}

// ChartBand is the reference-range band.
type ChartBand struct {
	X, Y, W, H float64
	Label      string // "Reference 4.00–5.20"
}

// ChartSeries is one line of a chart (blood pressure has two: systolic and diastolic). Series after
// the first are dashed, so they differ by more than colour; a legend names them when there are several.
type ChartSeries struct {
	Label  string
	Path   string // "M x y L x y ..."; empty for fewer than two points
	Dashed bool
}

// SVGChart is a server-drawn trend chart; all geometry is decided by package present.
type SVGChart struct {
	Width, Height                            float64
	PlotLeft, PlotTop, PlotRight, PlotBottom float64
	Title                                    string // <title> of the SVG
	Desc                                     string // <desc>: a one-line summary for screen readers
	Band                                     *ChartBand
	Series                                   []ChartSeries // lines; several only when their units are identical
	Points                                   []ChartPoint
	XTicks                                   []ChartTick
	YTicks                                   []ChartTick
	YUnit                                    string // the value axis's unit as sent ("mm[Hg]"), or that none was sent
	Empty                                    string // set instead of drawing when there is nothing to plot
}

// Analyte is one analyte's history: trend chart and table.
type Analyte struct {
	Section
	Name      string
	Unit      string
	Presets   []Preset // 1 week, 1 month, 6 months, 1 year, all
	Chart     SVGChart
	ChartNote string // e.g. "2 results in other units are listed but not drawn"
	Table     ObsTable
	// Older points out of an empty range: whether the analyte has older results, and a link to all.
	Older *Suggestion
}

// EncounterDetail is an encounter expanded in place: its details and the observations recorded in it.
type EncounterDetail struct {
	Section
	Row          EncounterRow
	Details      []IDRow
	Observations ObsTable
}

// ChartPage is the chart: banner first, sections loading in parallel (or inlined when printing).
type ChartPage struct {
	Page
	Banner   Banner
	Handle   string
	Slots    []SectionSlot // placeholders loaded with hx-get on load
	PrintURL string        // the complete inline chart (print, no-JS)
}

// SectionSlot is a chart placeholder that loads its section.
type SectionSlot struct {
	ID    string
	Title string
	URL   string
}

// PrintPage is the complete chart inline, for printing and browsers without JavaScript.
type PrintPage struct {
	Page
	Banner   Banner
	Strip    VitalsStrip
	Timeline Timeline
	Vitals   ObsTable
	Labs     Labs
	Social   SocialHistory
	Critical CriticalResults
}

// CriticalResults is the summary under the banner of the labs Epic flagged critical in the last
// days (present.CriticalResults). Empty, it shows nothing.
type CriticalResults struct {
	Title string
	Items []CriticalItem
	// Note says what the summary could not see: the labs did not load, or not all of them did.
	Note string
	// Key is the same for the same summary: a labs answer that brings no change leaves the
	// summary alone (app.js), so a screen reader does not hear it again after every range switch.
	Key string
}

// CriticalItem is one analyte's newest critical result and, when a result of the same analyte
// came after it, that later result.
type CriticalItem struct {
	Result ObsRow
	Later  *ObsRow
}
