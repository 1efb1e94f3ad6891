package sandbox

import (
	"encoding/json"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// wantsJSON applies Epic's content negotiation: JSON only when asked for by _format or by an Accept
// media type of application/fhir+json or application/json; a missing Accept, */* or anything else
// gets XML (clients that forget the header are caught in tests, not in production).
func wantsJSON(r *http.Request) bool {
	switch f := r.URL.Query().Get("_format"); f {
	case "json", "application/json", "application/fhir+json", "application/json+fhir":
		return true
	case "xml", "application/xml", "application/fhir+xml", "application/xml+fhir":
		return false
	}
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		if q, ok := params["q"]; ok {
			if v, err := strconv.ParseFloat(q, 64); err == nil && v == 0 {
				continue
			}
		}
		switch mt {
		case "application/fhir+json", "application/json", "application/json+fhir":
			return true
		}
	}
	return false
}

// writeResource encodes v (a FHIR resource or Bundle) in the negotiated format.
func writeResource(w http.ResponseWriter, r *http.Request, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "sandbox: encode response", http.StatusInternalServerError)
		return
	}
	writeRaw(w, r, status, body)
}

// writeRaw writes an already-encoded JSON resource, converted to XML when the client did not ask
// for JSON.
func writeRaw(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	if wantsJSON(r) {
		w.Header().Set("Content-Type", "application/fhir+json; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(status)
		_, _ = w.Write(body)
		return
	}
	x, err := jsonToXML(body)
	if err != nil {
		http.Error(w, "sandbox: encode xml", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/fhir+xml; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(x)
}
