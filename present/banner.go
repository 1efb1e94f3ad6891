package present

import (
	"sort"
	"strings"
	"time"

	"github.com/chartside/chartside/epic/fhir"
	"github.com/chartside/chartside/views"
)

// Banner builds the patient banner. mrnSystem is the MRN's identifier system or Epic ID type
// (as in epic.Config.MRNSystem). now and loc give today's date in the clinic: for the age, and
// for which names, address and phone are the patient's today (fhir.Period.InEffectAt).
func Banner(p fhir.Patient, mrnSystem string, now time.Time, loc *time.Location) views.Banner {
	b := views.Banner{
		Name:      orNotRecorded(PatientName(p, now, loc)),
		Preferred: PreferredName(p, now, loc),
		MRN:       orNotRecorded(mrn(p, mrnSystem)),
		BirthDate: orNotRecorded(Date(p.BirthDate)),
		Sex:       orNotRecorded(sex(p.Gender)),
		OtherIDs:  otherIDs(p, mrnSystem),
		Address:   address(p.Address, now, loc),
		Phone:     orNotRecorded(phone(p.Telecom, now, loc)),
		Language:  orNotRecorded(language(p.Communication)),
		PCP:       orNotRecorded(pcp(p.GeneralPractitioner)),
	}
	at := now.In(loc)
	b.Deceased = Deceased(p)
	switch {
	case p.DeceasedDateTime != nil && !p.DeceasedDateTime.IsZero():
		b.DeceasedDate = DateTime(*p.DeceasedDateTime, loc)
		y, m, d := p.DeceasedDateTime.Civil()
		if p.DeceasedDateTime.HasTime() {
			t := p.DeceasedDateTime.Time().In(loc)
			y, m, d = t.Date()
		}
		// Age at death needs the full day; otherwise leave the age out rather than guess.
		if m != 0 && d != 0 {
			at = time.Date(y, m, d, 12, 0, 0, 0, time.UTC)
		} else {
			at = time.Time{}
		}
	case b.Deceased:
		at = time.Time{} // deceasedBoolean: age at death unknown
	}
	if !at.IsZero() {
		b.Age = Age(p.BirthDate, at)
	}
	return b
}

// Deceased reports whether Epic says the patient has died (with a date, or just true): the
// banner's Deceased tag and the vitals strip's silence about the vitals' age.
func Deceased(p fhir.Patient) bool {
	return (p.DeceasedDateTime != nil && !p.DeceasedDateTime.IsZero()) || (p.DeceasedBoolean != nil && *p.DeceasedBoolean)
}

// Match is one patient of a multi-match lookup: enough to tell patients apart, nothing more. now and
// loc give the clinic's today, which decides the name shown (as in Banner).
func Match(p fhir.Patient, mrnSystem string, now time.Time, loc *time.Location) views.MatchRow {
	ids := []views.IDRow{}
	if v := mrn(p, mrnSystem); v != "" {
		ids = append(ids, views.IDRow{Label: "MRN", Value: v})
	}
	ids = append(ids, otherIDs(p, mrnSystem)...)
	return views.MatchRow{
		Choice:      p.ID,
		Name:        orNotRecorded(PatientName(p, now, loc)),
		BirthDate:   orNotRecorded(Date(p.BirthDate)),
		Sex:         orNotRecorded(sex(p.Gender)),
		Identifiers: ids,
	}
}

// PatientName is the official (else usual, else first) name in effect at now (loc gives the
// clinic's today): its text, else given + family.
func PatientName(p fhir.Patient, now time.Time, loc *time.Location) string {
	n, ok := p.OfficialNameAt(now, loc)
	if !ok {
		return ""
	}
	return nameText(n)
}

// PreferredName is the name the patient goes by, when it is not the name PatientName shows: the
// first name in effect at now with use "usual" (Epic's preferred name), else "nickname", that reads
// differently. Epic sends a usual name on every patient, the same as the legal one when no
// preferred name is recorded; that one is not repeated. Empty when there is none to add.
func PreferredName(p fhir.Patient, now time.Time, loc *time.Location) string {
	shown := strings.ToLower(PatientName(p, now, loc))
	for _, use := range []string{"usual", "nickname"} {
		for _, n := range p.Name {
			if n.Use != use || !n.Period.InEffectAt(now, loc) {
				continue
			}
			if t := nameText(n); t != "" && strings.ToLower(t) != shown {
				return t
			}
		}
	}
	return ""
}

// nameText is a name as Epic wrote it (its text), else its parts in order.
func nameText(n fhir.HumanName) string {
	if t := strings.TrimSpace(n.Text); t != "" {
		return t
	}
	parts := append(append(append([]string{}, n.Prefix...), n.Given...), n.Family)
	parts = append(parts, n.Suffix...)
	return strings.Join(strings.Fields(strings.Join(parts, " ")), " ")
}

func mrn(p fhir.Patient, system string) string {
	if system == "" {
		return ""
	}
	if v, ok := p.IdentifierValue(system); ok {
		return strings.TrimSpace(v)
	}
	if v, ok := p.IdentifierByType(system); ok {
		return strings.TrimSpace(v)
	}
	return ""
}

// identifierLabel names an identifier by its type (Epic's ID type text), else by what its system
// is (a Social Security or payer member number sent without a type), else by its system.
func identifierLabel(id fhir.Identifier) string {
	if id.Type != nil {
		if l := id.Type.Label(); l != "" {
			return l
		}
	}
	switch {
	case isSSN(id):
		return "SSN"
	case id.System == payerMemberIDSystem:
		return "Payer member ID"
	}
	if id.System != "" {
		return id.System
	}
	return "Identifier"
}

// otherIDs lists the identifiers other than the MRN shown. Only that MRN's value is left out: a
// second MRN value (two records, a registration error) is listed, never hidden behind the first.
func otherIDs(p fhir.Patient, mrnSystem string) []views.IDRow {
	shown := mrn(p, mrnSystem)
	var rows []views.IDRow
	for _, id := range p.Identifier {
		v := strings.TrimSpace(id.Value)
		if v == "" {
			continue
		}
		isMRN := mrnSystem != "" && (id.System == mrnSystem ||
			(id.Type != nil && (id.Type.Text == mrnSystem || id.Type.HasCode("", mrnSystem))))
		if isMRN && v == shown {
			continue
		}
		if !isMRN && epicRecordKey(id) {
			continue
		}
		if isSSN(id) {
			v = maskSSN(v)
		}
		rows = append(rows, views.IDRow{Label: identifierLabel(id), Value: v})
	}
	return rows
}

// epicRecordKey reports whether an identifier is one of Epic's keys for its own records, or the
// patient's MyChart login, rather than a number staff are asked for. The banner and the lookup's
// match rows leave these out; the MRN, the enterprise ID (EPIC), the Care Everywhere ID (CEID),
// SSN, payer member IDs and any identifier not named here stay listed, under Epic's name for them.
// What EPIC.md and the captures show them to be:
//   - FHIR, FHIR STU3: the patient's id in Epic's DSTU2 and STU3 APIs (the R4 id is Chartside's key
//     for Epic and is kept in the audit trail, never shown);
//   - INTERNAL, EXTERNAL: Epic's patient record ID, the same value twice (INTERNAL padded with spaces);
//   - WPRINTERNAL: the record ID of the patient's MyChart account;
//   - MYCHARTLOGIN: the patient's MyChart user name, a personal account name of no clinical use, on
//     a banner seen on shared screens.
//
// Epic's OIDs differ per organisation, so the ID type text decides (the same in both sandboxes
// captured); the DSTU2 and STU3 id systems are Epic's fixed URLs. An organisation that named these
// types differently would see them listed, labelled: the safe side.
func epicRecordKey(id fhir.Identifier) bool {
	switch id.System {
	case "http://open.epic.com/FHIR/StructureDefinition/patient-dstu2-fhir-id",
		"http://open.epic.com/FHIR/StructureDefinition/patient-fhir-id":
		return true
	}
	if id.Type == nil {
		return false
	}
	switch strings.ToUpper(strings.TrimSpace(id.Type.Text)) {
	case "FHIR", "FHIR STU3", "INTERNAL", "EXTERNAL", "WPRINTERNAL", "MYCHARTLOGIN":
		return true
	}
	return false
}

// payerMemberIDSystem is the system of the insurance member IDs Epic lists among a patient's
// identifiers, without a type (EPIC.md).
const payerMemberIDSystem = "https://open.epic.com/FHIR/StructureDefinition/PayerMemberId"

// ssnSystem is the identifier system of the US Social Security number, which Epic lists among a
// patient's identifiers (EPIC.md).
const ssnSystem = "urn:oid:2.16.840.1.113883.4.1"

func isSSN(id fhir.Identifier) bool {
	return id.System == ssnSystem || (id.Type != nil &&
		(strings.EqualFold(id.Type.Text, "SSN") || id.Type.HasCode("http://terminology.hl7.org/CodeSystem/v2-0203", "SS")))
}

// maskSSN shows a Social Security number by its last four digits, as EHRs do: enough for staff to
// confirm it with the patient, nothing more on a screen others may see (the banner, the list of
// patients an MRN matched). A value without four digits is masked whole.
func maskSSN(v string) string {
	digits := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		if v[i] >= '0' && v[i] <= '9' {
			digits = append(digits, v[i])
		}
	}
	if len(digits) < 4 {
		return "***-**-****"
	}
	return "***-**-" + string(digits[len(digits)-4:])
}

func sex(gender string) string {
	switch gender {
	case "":
		return ""
	case "male":
		return "Male"
	case "female":
		return "Female"
	case "other":
		return "Other"
	case "unknown":
		return "Unknown"
	}
	return gender
}

// address picks the home address in effect at now (else the first one in effect) as display
// lines; nil when none is, which the banner shows as not recorded. An address that ends later
// (a temporary address, a planned move) is still the one to reach the patient at today; one that
// starts later is not yet. An address with use "old" is never shown, whatever its period: FHIR
// defines "old" as no longer in use, and Epic sends a previous address that way with no period
// (the App Orchard captures list one before the home address). Epic's text joins lines with
// "\r\n".
func address(as []fhir.Address, now time.Time, loc *time.Location) []string {
	var pick *fhir.Address
	for i := range as {
		a := &as[i]
		if a.Use == "old" || !a.Period.InEffectAt(now, loc) {
			continue
		}
		switch {
		case pick == nil, a.Use == "home" && pick.Use != "home":
			pick = a
		case (a.Use == "home") == (pick.Use == "home") && startsLater(a.Period, pick.Period):
			// On a move day the old home address (ending that day) and the new one (starting
			// that day) are both in effect: the one that began later is where the patient lives.
			pick = a
		}
	}
	if pick == nil {
		return nil
	}
	if strings.TrimSpace(pick.Text) != "" {
		var lines []string
		for _, l := range strings.Split(strings.ReplaceAll(pick.Text, "\r\n", "\n"), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				lines = append(lines, l)
			}
		}
		return lines
	}
	lines := append([]string{}, pick.Line...)
	city := strings.TrimSpace(strings.Join(strings.Fields(pick.City+" "+pick.State+" "+pick.PostalCode), " "))
	if city != "" {
		lines = append(lines, city)
	}
	if pick.Country != "" {
		lines = append(lines, pick.Country)
	}
	return lines
}

// startsLater reports whether period a has a start and began after b (which may have none).
func startsLater(a, b *fhir.Period) bool {
	if a == nil || a.Start.IsZero() {
		return false
	}
	return b == nil || b.Start.IsZero() || b.Start.Before(a.Start)
}

// phone is the preferred (lowest rank) phone number in effect at now, with its use; "" when none
// is. A number with use "old" (no longer in use) is never shown, whatever its period or rank, as
// for addresses.
func phone(cps []fhir.ContactPoint, now time.Time, loc *time.Location) string {
	var phones []fhir.ContactPoint
	for _, cp := range cps {
		if cp.System == "phone" && cp.Value != "" && cp.Use != "old" && cp.Period.InEffectAt(now, loc) {
			phones = append(phones, cp)
		}
	}
	if len(phones) == 0 {
		return ""
	}
	sort.SliceStable(phones, func(i, j int) bool {
		ri, rj := phones[i].Rank, phones[j].Rank
		if ri == 0 {
			ri = 1 << 30
		}
		if rj == 0 {
			rj = 1 << 30
		}
		return ri < rj
	})
	p := phones[0]
	if p.Use != "" {
		return p.Value + " (" + p.Use + ")"
	}
	return p.Value
}

func language(cs []fhir.PatientCommunication) string {
	for _, c := range cs {
		if c.Preferred != nil && *c.Preferred {
			return c.Language.Label()
		}
	}
	if len(cs) > 0 {
		return cs[0].Language.Label()
	}
	return ""
}

func pcp(refs []fhir.Reference) string {
	var names []string
	for _, r := range refs {
		if r.Display != "" {
			names = append(names, r.Display)
		}
	}
	return strings.Join(names, "; ")
}
