package soak

import (
	"context"
	"fmt"

	"github.com/chartside/chartside/audit"
	"github.com/chartside/chartside/db"
)

// AuditCounts is the server's audit trail after the run, by what was recorded.
type AuditCounts struct {
	Records        int64 // every record, sign-ins included
	ChainOK        bool  // audit.Verify walked the whole hash chain
	SignIns        int
	Lookups        int
	ChartPages     int // chart_view of the chart page
	SectionViews   int // chart_view of one section fetched on its own (its prefetch had failed)
	Encounters     int
	Analytes       int
	UpstreamErrors int // records whose outcome is upstream_error
	Other          int
}

// PHIViews is every record of a look at patient data.
func (a AuditCounts) PHIViews() int {
	return a.Lookups + a.ChartPages + a.SectionViews + a.Encounters + a.Analytes
}

// readAudit opens the stopped server's database and counts its audit trail.
func readAudit(ctx context.Context, databaseURL, dataDir string) (AuditCounts, error) {
	d, err := db.Open(ctx, databaseURL, dataDir)
	if err != nil {
		return AuditCounts{}, fmt.Errorf("soak: audit: %w", err)
	}
	defer d.Close()
	var out AuditCounts
	v, err := audit.New(d, nil).Verify(ctx)
	if err != nil {
		return AuditCounts{}, fmt.Errorf("soak: audit: %w", err)
	}
	out.Records, out.ChainOK = v.Records, v.OK
	rows, err := d.QueryContext(ctx, "SELECT action, outcome, detail = 'chart', COUNT(*) FROM audit_log GROUP BY action, outcome, detail = 'chart'")
	if err != nil {
		return AuditCounts{}, fmt.Errorf("soak: audit: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			action, outcome string
			page            bool
			n               int
		)
		if err := rows.Scan(&action, &outcome, &page, &n); err != nil {
			return AuditCounts{}, fmt.Errorf("soak: audit: %w", err)
		}
		if outcome == audit.OutcomeUpstreamError {
			out.UpstreamErrors += n
		}
		switch {
		case action == audit.ActionSignIn:
			out.SignIns += n
		case action == audit.ActionLookup:
			out.Lookups += n
		case action == audit.ActionChartView && page:
			out.ChartPages += n
		case action == audit.ActionChartView:
			out.SectionViews += n
		case action == audit.ActionEncounterView:
			out.Encounters += n
		case action == audit.ActionAnalyteView:
			out.Analytes += n
		default:
			out.Other += n
		}
	}
	if err := rows.Err(); err != nil {
		return AuditCounts{}, fmt.Errorf("soak: audit: %w", err)
	}
	return out, nil
}
