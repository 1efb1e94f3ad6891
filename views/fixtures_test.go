package views

// Fixed view models for the view tests and golden files. The patient name is HTML-like on purpose:
// it must render as text, never as markup.

const evilName = `<img src=x onerror=alert(1)> "Bobby" O'Brien & <b>Co</b>`

func fixturePage() Page {
	return Page{Title: "Chart", CSRFToken: "tok", User: &User{Username: "nurse1"}, NoHistory: true,
		PrintedBy: "nurse1", PrintedAt: "Apr 28, 2026 10:42"}
}

func fixtureBanner() Banner {
	return Banner{
		Name: evilName, MRN: "203713", BirthDate: "Sep 12, 1987", Age: "38 y", Sex: "Female",
		Deceased: true, DeceasedDate: "Jan 2, 2026",
		OtherIDs: []IDRow{{Label: "CEID", Value: "FHRLBVD2TLZS69Z"}},
		Address:  []string{"3268 W Johnson St Apt 117", "GARLAND TX 75043"},
		Phone:    "+1 469-888-8888 (work)", Language: "English", PCP: NotRecorded,
	}
}

func fixtureSection(id, title string) Section {
	return Section{ID: id, Title: title, URL: "/chart/h1/" + id, RetryURL: "/chart/h1/" + id + "?focus=1",
		RefreshURL: "/chart/h1/" + id + "?refresh=1", AsOf: "as of 10:42"}
}

func fixtureStrip() VitalsStrip {
	return VitalsStrip{
		Section: fixtureSection(VitalsStripID, "Latest vitals"),
		Items: []VitalTile{
			{Label: "BP", Value: "182/96", Unit: "mm[Hg]", Time: "Apr 24, 2026 16:10 CDT", Flag: Flag{Text: "High", Level: FlagHigh, Icon: "▲"}, AnalyteURL: "/chart/h1/analyte?code=http://loinc.org|85354-9"},
			{Label: "Pulse", Value: "72", Unit: "/min", Time: "Apr 25, 2026 13:30 CDT", Status: "preliminary"},
			{Label: "SpO2", Value: NotRecorded},
		},
		StaleNotice: "Vitals are 3 days old",
	}
}

func fixtureTimeline() Timeline {
	return Timeline{
		Section: fixtureSection(TimelineID, "Encounters"),
		Window:  "July 2022 – June 2023",
		Groups: []MonthGroup{
			{Label: "June 2023", Entries: []EncounterRow{
				{DOMID: "enc-a", DetailURL: "/chart/h1/encounters/a", When: "Jun 6, 2023 11:20 – 12:35 CDT", Class: "Surgery Log", Type: "Surgery", Status: "unknown", StatusNotable: true, Location: "EMH Operating Room", Clinician: "Physician Family Medicine, MD"},
				{DOMID: "enc-b", DetailURL: "/chart/h1/encounters/b", When: "Jun 2, 2023", Class: "Support OP Encounter", Type: "Office Visit", Status: "finished", Location: NotRecorded, Clinician: "Np Family Medicine, NP"},
			}},
			{Label: "May 2023", Entries: []EncounterRow{
				{DOMID: "enc-c", When: "May 21, 2023", Class: "Support OP Encounter", Type: evilName, Status: "finished", Location: "EMC Family Medicine", Clinician: NotRecorded},
			}},
		},
		Filters: TimelineFilters{Action: "/chart/h1/encounters", Before: "2023-07-01",
			Classes: []Option{{Value: "HOV", Label: "HOV"}, {Value: "Surgery Log", Label: "Surgery Log", Selected: true}},
			Types:   []Option{{Value: "Office Visit", Label: "Office Visit"}}},
		LoadEarlierURL: "/chart/h1/encounters?before=2022-07-01&more=1",
	}
}

func fixtureRows() []ObsRow {
	return []ObsRow{
		{Name: "Potassium", Value: "6.8", Numeric: true, Unit: "mmol/L", Range: "3.5–5.0 mmol/L", Flag: Flag{Text: "Critical high", Level: FlagCritical, Icon: "‼"}, When: "Apr 24, 2026 16:10 CDT", Status: "final", AnalyteURL: "/chart/h1/analyte?code=http://loinc.org|2823-3"},
		{Name: "Hemoglobin A1C", Value: "7.20", Numeric: true, Unit: "%", When: "Apr 20, 2026 09:00 CDT", Status: "amended", StatusNotable: true},
		{Name: "Genotype:", Value: "Genotype Value", Flag: Flag{Text: "(NONE)", Level: FlagUnknown, Icon: "?"}, When: "Mar 21, 2023 16:42 CDT", Status: "final", Notes: []string{"Test Comment"}},
		{Name: "CRP", Value: "<5", Numeric: true, Unit: "mg/L", Range: "≤ 10 mg/L", Flag: Flag{Text: "Normal", Level: FlagNormal}, When: "Mar 1, 2023", Status: "entered-in-error", StatusNotable: true},
		{Name: "Smoking", Value: "Not recorded: Patient refused", Detail: "Type: Cigarettes", When: "Mar 1, 2023", Status: "final"},
	}
}

func fixtureVitals() ObsTable {
	return ObsTable{Section: fixtureSection(VitalsTableID, "Vitals"), Caption: "Vital signs (newest first)", Rows: fixtureRows()[:2], Empty: "No vitals.", TestID: "vitals-table"}
}

func fixtureLabs(matrix bool) Labs {
	l := Labs{
		Section: fixtureSection(LabsID, "Labs"),
		Matrix:  matrix,
		Views:   []Preset{{Label: "Table", URL: "/chart/h1/labs?view=table", Current: !matrix}, {Label: "Matrix", URL: "/chart/h1/labs?view=matrix", Current: matrix}},
		Ranges:  []Preset{{Label: "1 month", URL: "/chart/h1/labs?range=1m"}, {Label: "1 year", URL: "/chart/h1/labs?range=1y", Current: true}},
		Table:   ObsTable{Caption: "Lab results (newest first)", Rows: fixtureRows(), Empty: "No labs.", TestID: "labs-table"},
		LabMatrix: LabMatrix{Caption: "Lab results by date", Dates: []string{"Apr 24, 2026", "Apr 20, 2026"},
			Rows: []MatrixRow{
				{Name: "Potassium", Unit: "mmol/L", Range: "3.5–5.0 mmol/L", AnalyteURL: "/chart/h1/analyte?code=k", Cells: []MatrixCell{{Value: "6.8", Flag: Flag{Text: "Critical high", Level: FlagCritical, Icon: "‼"}}, {}}},
				{Name: evilName, Unit: "%", Cells: []MatrixCell{{}, {Value: "7.20"}}},
			}},
	}
	return l
}

func fixtureSocial() SocialHistory {
	return SocialHistory{Section: fixtureSection(SocialID, "Social history"), Caption: "Social history", Empty: "No social history recorded."}
}

// fixtureSocialItems has an item with earlier values on demand, one without any, and one listed
// in full.
func fixtureSocialItems() SocialHistory {
	rows := fixtureRows()
	smoking := ObsRow{Name: "Tobacco smoking status", Value: "Former smoker", Detail: "Type: Cigarettes", When: "Mar 1, 2026", Status: "final"}
	drugs := ObsRow{Name: "Drug use", Value: "Never", When: "Feb 2, 2026", Status: "final"}
	earlierDrugs := ObsRow{Name: "Drug use", Value: "Not recorded: Patient refused", When: "Jan 5, 2025", Status: "entered-in-error", StatusNotable: true}
	s := fixtureSocial()
	s.Caption = "Social history: the latest value of each item (newest first)"
	s.Items = []SocialItem{
		{Latest: smoking, EarlierCount: 12, EarlierLabel: "History (12)", HistoryURL: "/chart/h1/social?item=http%3A%2F%2Floinc.org%7C72166-2&more=1"},
		{Latest: rows[4], EarlierLabel: "None"},
		{Latest: drugs, EarlierCount: 1, EarlierLabel: "1 earlier, listed below", Earlier: []ObsRow{earlierDrugs}},
	}
	return s
}

func fixtureChart() SVGChart {
	return SVGChart{
		Width: 720, Height: 260, PlotLeft: 64, PlotTop: 16, PlotRight: 696, PlotBottom: 220,
		Title: "Glucose trend", Desc: "3 results; 1 marked abnormal.",
		Band:   &ChartBand{X: 64, Y: 120, W: 632, H: 60, Label: "Reference range 70–100 mg/dL"},
		Series: []ChartSeries{{Label: "Glucose", Path: "M64.0 180.0 L380.0 150.0 L696.0 40.0"}},
		Points: []ChartPoint{{X: 64, Y: 180, Title: "70 mg/dL on Jan 1"}, {X: 380, Y: 150, Title: "90 mg/dL on Jan 2"}, {X: 696, Y: 40, Abnormal: true, Marker: "H", Title: "150 mg/dL on Jan 3, High"}},
		XTicks: []ChartTick{{Pos: 64, Label: "Jan 1"}, {Pos: 696, Label: "Jan 3"}},
		YTicks: []ChartTick{{Pos: 200, Label: "60"}, {Pos: 100, Label: "100"}},
	}
}

func fixtureAnalyte() Analyte {
	return Analyte{
		Section: fixtureSection(AnalyteID, "Glucose history"),
		Name:    "Glucose", Unit: "mg/dL",
		Presets:   []Preset{{Label: "1 month", URL: "/a?range=1m"}, {Label: "All", URL: "/a?range=all", Current: true}},
		Chart:     fixtureChart(),
		ChartNote: "1 result listed below is not drawn (not a number in mg/dL, or not a valid result).",
		Table:     ObsTable{Caption: "Glucose results", Rows: fixtureRows()[:1], TestID: "analyte-table"},
	}
}

func fixtureChartPage() ChartPage {
	return ChartPage{
		Page: fixturePage(), Banner: fixtureBanner(), Handle: "h1", PrintURL: "/chart/h1/print",
		Slots: []SectionSlot{
			{ID: VitalsStripID, Title: "Latest vitals", URL: "/chart/h1/vitals-strip"},
			{ID: TimelineID, Title: "Encounters", URL: "/chart/h1/encounters"},
			{ID: VitalsTableID, Title: "Vitals", URL: "/chart/h1/vitals"},
			{ID: LabsID, Title: "Labs", URL: "/chart/h1/labs"},
			{ID: SocialID, Title: "Social history", URL: "/chart/h1/social"},
		},
	}
}

func fixturePrintPage() PrintPage {
	return PrintPage{Page: fixturePage(), Banner: fixtureBanner(), Strip: fixtureStrip(), Timeline: fixtureTimeline(),
		Vitals: fixtureVitals(), Labs: fixtureLabs(false), Social: fixtureSocialItems()}
}
