package fhir

import (
	"errors"
	"fmt"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// SearchPage is one page of a searchset Bundle decoded the way the Epic client needs it: the
// paging links, the resources of one type and the OperationOutcomes, in a single walk over the
// page. It gives what decoding a Bundle and then its entries gives (Resources and Outcomes;
// TestSearchPageMatchesBundlePath, FuzzDecodeBundle) without keeping a copy of every entry's JSON
// on the way: the Bundle path held each page's bytes twice until its resources were decoded, and
// copying them was most of the Bundle's own decoding cost (BENCHMARKS.md).
//
// Decode a SearchPage with Unmarshal, after setting ResourceType to the type wanted.
type SearchPage[T any] struct {
	ResourceType string // the resource type to keep, e.g. "Observation"
	Link         []BundleLink
	Items        []T
	Outcomes     []OperationOutcome
}

// LinkURL returns the URL of the link with the relation ("next", "self"), or "".
func (p *SearchPage[T]) LinkURL(relation string) string {
	return (&Bundle{Link: p.Link}).LinkURL(relation)
}

var errNotObject = errors.New("fhir: expected a JSON object")

// UnmarshalJSONFrom decodes a Bundle page (the v2 decoder's method interface; Unmarshal uses it).
// Bundle members other than link and entry are skipped.
func (p *SearchPage[T]) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	p.Link, p.Items, p.Outcomes = nil, nil, nil
	return eachMember(dec, func(name string) error {
		switch name {
		case "link":
			return jsonv2.UnmarshalDecode(dec, &p.Link)
		case "entry":
			if dec.PeekKind() == 'n' {
				return dec.SkipValue()
			}
			if tok, err := dec.ReadToken(); err != nil {
				return err
			} else if tok.Kind() != '[' {
				return errors.New("fhir: Bundle.entry is not an array")
			}
			for i := 0; dec.PeekKind() != ']'; i++ {
				if err := p.decodeEntry(dec, i); err != nil {
					return err
				}
			}
			_, err := dec.ReadToken()
			return err
		default:
			return dec.SkipValue()
		}
	})
}

// decodeEntry decodes entry i: its resource straight from the page's bytes when it is of the
// wanted type or an OperationOutcome. As in the Bundle path, an OperationOutcome is an outcome whatever
// its mode, and another resource in mode "outcome" is left out. Epic writes search after resource,
// so the mode is only known at the end of the entry.
func (p *SearchPage[T]) decodeEntry(dec *jsontext.Decoder, i int) error {
	if dec.PeekKind() == 'n' {
		return dec.SkipValue()
	}
	var (
		decoded bool // the resource was appended to Items
		outcome *OperationOutcome
		mode    string
	)
	err := eachMember(dec, func(name string) error {
		switch name {
		case "resource":
			// Epic writes resourceType first: then the type is known before the resource is
			// read, and the resource is decoded straight from the page. Otherwise it is read
			// whole first to find its type.
			t, ok := leadingResourceType(valueAhead(dec))
			var raw jsontext.Value
			if !ok {
				var err error
				if raw, err = dec.ReadValue(); err != nil { // valid until the next read: decoded before that
					return err
				}
				t = PeekResourceType(raw)
			}
			switch {
			case t == "OperationOutcome":
				outcome = new(OperationOutcome)
				if err := decodeResource(dec, raw, outcome); err != nil {
					return fmt.Errorf("fhir: bundle entry %d (OperationOutcome): %w", i, err)
				}
			case t == p.ResourceType && t != "":
				// Decoded in place; taken back below if the entry turns out to be an outcome.
				var zero T
				p.Items = append(p.Items, zero)
				decoded = true
				if err := decodeResource(dec, raw, &p.Items[len(p.Items)-1]); err != nil {
					return fmt.Errorf("fhir: bundle entry %d (%s): %w", i, p.ResourceType, err)
				}
			case raw == nil:
				return dec.SkipValue()
			}
			return nil
		case "search":
			var s *BundleSearch
			if err := jsonv2.UnmarshalDecode(dec, &s); err != nil {
				return err
			}
			if s != nil {
				mode = s.Mode
			}
			return nil
		default:
			return dec.SkipValue()
		}
	})
	if err != nil {
		return err
	}
	if outcome != nil {
		p.Outcomes = append(p.Outcomes, *outcome)
	}
	if decoded && mode == SearchModeOutcome {
		p.Items = p.Items[:len(p.Items)-1]
	}
	return nil
}

// valueAhead returns the decoder's buffered input from the next value on (the separator before it
// skipped): all of the rest of the page when it is decoded from memory, as Unmarshal does.
func valueAhead(dec *jsontext.Decoder) []byte {
	b := trimSpace(dec.UnreadBuffer())
	if len(b) > 0 && (b[0] == ':' || b[0] == ',') {
		b = trimSpace(b[1:])
	}
	return b
}

// decodeResource decodes a resource into v: from raw when it was read already, else from dec.
func decodeResource(dec *jsontext.Decoder, raw jsontext.Value, v any) error {
	if raw != nil {
		return Unmarshal(raw, v)
	}
	return jsonv2.UnmarshalDecode(dec, v)
}

// eachMember reads a JSON object (or null) from dec and calls member with each member's name,
// positioned at its value, which member must consume.
func eachMember(dec *jsontext.Decoder, member func(name string) error) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	switch tok.Kind() {
	case 'n':
		return nil
	case '{':
	default:
		return errNotObject
	}
	for dec.PeekKind() != '}' {
		name, err := dec.ReadToken()
		if err != nil {
			return err
		}
		if err := member(name.String()); err != nil {
			return err
		}
	}
	_, err = dec.ReadToken()
	return err
}
