package audit

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// Export formats.
const (
	FormatCSV   = "csv"
	FormatJSONL = "jsonl"
)

// ErrUnknownFormat is returned by Export for a format other than csv or jsonl.
var ErrUnknownFormat = errors.New("audit: unknown export format (want csv or jsonl)")

// csvHeader names the CSV columns; jsonRecord uses the same names.
var csvHeader = []string{"seq", "time", "username", "action", "patient_id", "mrn", "outcome",
	"client_addr", "request_id", "detail", "prev_hash", "hash"}

type jsonRecord struct {
	Seq        int64  `json:"seq"`
	Time       string `json:"time"`
	Username   string `json:"username"`
	Action     string `json:"action"`
	PatientID  string `json:"patient_id"`
	MRN        string `json:"mrn"`
	Outcome    string `json:"outcome"`
	ClientAddr string `json:"client_addr"`
	RequestID  string `json:"request_id"`
	Detail     string `json:"detail"`
	PrevHash   string `json:"prev_hash"`
	Hash       string `json:"hash"`
}

// Export writes matching records, oldest first, to w as CSV (with a header
// row) or JSON Lines. Records stream from the database, so exports of any
// size use constant memory. f.Limit caps the count when positive.
//
// CSV cells that a spreadsheet would treat as a formula are neutralised (see
// CSVSafe); JSON Lines output is the stored data unchanged.
func (l *Log) Export(ctx context.Context, w io.Writer, f Filter, format string) error {
	if format != FormatCSV && format != FormatJSONL {
		return ErrUnknownFormat
	}
	rows, err := l.selectRecords(ctx, f, "ASC")
	if err != nil {
		return fmt.Errorf("audit: export: %w", err)
	}
	defer rows.Close()

	bw := bufio.NewWriter(w)
	var write func(Record) error
	var flush func() error
	switch format {
	case FormatCSV:
		cw := csv.NewWriter(bw)
		if err := cw.Write(csvHeader); err != nil {
			return fmt.Errorf("audit: export: %w", err)
		}
		write = func(r Record) error { return cw.Write(csvRow(r)) }
		flush = func() error { cw.Flush(); return cw.Error() }
	default:
		enc := json.NewEncoder(bw)
		write = func(r Record) error { return enc.Encode(toJSON(r)) }
		flush = func() error { return nil }
	}
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return fmt.Errorf("audit: export: %w", err)
		}
		if err := write(r); err != nil {
			return fmt.Errorf("audit: export: write: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("audit: export: %w", err)
	}
	if err := flush(); err != nil {
		return fmt.Errorf("audit: export: write: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("audit: export: write: %w", err)
	}
	return nil
}

func toJSON(r Record) jsonRecord {
	return jsonRecord{
		Seq: r.Seq, Time: r.Time.UTC().Format(timeLayout), Username: r.Username, Action: r.Action,
		PatientID: r.PatientID, MRN: r.MRN, Outcome: r.Outcome, ClientAddr: r.ClientAddr,
		RequestID: r.RequestID, Detail: r.Detail, PrevHash: r.PrevHash, Hash: r.Hash,
	}
}

func csvRow(r Record) []string {
	cells := []string{
		strconv.FormatInt(r.Seq, 10), r.Time.UTC().Format(timeLayout), r.Username, r.Action,
		r.PatientID, r.MRN, r.Outcome, r.ClientAddr, r.RequestID, r.Detail, r.PrevHash, r.Hash,
	}
	for i, c := range cells {
		cells[i] = CSVSafe(c)
	}
	return cells
}

// CSVSafe neutralises a cell that Excel, LibreOffice or Google Sheets would
// evaluate as a formula (OWASP "CSV injection"): a cell starting with =, +,
// -, @, tab or carriage return gets a leading apostrophe, which spreadsheets
// treat as "this is text". Free text such as Detail or a typed MRN could
// otherwise carry =HYPERLINK(...) into the privacy office's spreadsheet.
func CSVSafe(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
