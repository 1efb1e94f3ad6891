package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// node is a JSON value with object keys kept in order; FHIR XML is order-sensitive.
type node struct {
	kind   byte // 'o' object, 'a' array, 's' string, 'n' number, 'b' bool, 'z' null
	fields []field
	items  []*node
	text   string
}

type field struct {
	key string
	val *node
}

func (n *node) get(key string) *node {
	for _, f := range n.fields {
		if f.key == key {
			return f.val
		}
	}
	return nil
}

// jsonToXML converts a FHIR JSON resource to FHIR XML following the R4 XML rules: primitives become
// value attributes (merged with their "_name" siblings), arrays repeat the element, resources are
// named by resourceType, element ids and extension urls are attributes, and narrative div is XHTML.
func jsonToXML(body []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	root, err := readNode(dec)
	if err != nil {
		return nil, fmt.Errorf("sandbox: xml: %w", err)
	}
	if root.kind != 'o' || root.get("resourceType") == nil {
		return nil, fmt.Errorf("sandbox: xml: not a resource")
	}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>`)
	writeResourceXML(&b, root)
	return b.Bytes(), nil
}

func readNode(dec *json.Decoder) (*node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &node{kind: 'o'}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, _ := kt.(string)
				v, err := readNode(dec)
				if err != nil {
					return nil, err
				}
				n.fields = append(n.fields, field{key, v})
			}
			_, err := dec.Token()
			return n, err
		case '[':
			n := &node{kind: 'a'}
			for dec.More() {
				v, err := readNode(dec)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, v)
			}
			_, err := dec.Token()
			return n, err
		}
	case string:
		return &node{kind: 's', text: t}, nil
	case json.Number:
		return &node{kind: 'n', text: t.String()}, nil
	case bool:
		return &node{kind: 'b', text: fmt.Sprint(t)}, nil
	case nil:
		return &node{kind: 'z'}, nil
	}
	return nil, io.ErrUnexpectedEOF
}

func writeResourceXML(b *bytes.Buffer, res *node) {
	name := res.get("resourceType").text
	b.WriteString("<" + name + ` xmlns="http://hl7.org/fhir">`)
	writeChildren(b, res, true)
	b.WriteString("</" + name + ">")
}

// writeChildren writes the fields of object n. inResource is true for a resource's own fields,
// where id is an element rather than an attribute.
func writeChildren(b *bytes.Buffer, n *node, inResource bool) {
	for _, f := range n.fields {
		if f.key == "resourceType" || strings.HasPrefix(f.key, "_") {
			continue
		}
		if !inResource && f.key == "id" {
			continue // written as an attribute
		}
		if f.key == "url" && n.get("url") != nil && isExtension(n) {
			continue // written as an attribute
		}
		ext := n.get("_" + f.key)
		if f.val.kind == 'a' {
			for i, item := range f.val.items {
				var itemExt *node
				if ext != nil && ext.kind == 'a' && i < len(ext.items) {
					itemExt = ext.items[i]
				}
				writeElement(b, f.key, item, itemExt)
			}
			continue
		}
		writeElement(b, f.key, f.val, ext)
	}
	// A primitive that only has extensions ("_name" without "name").
	for _, f := range n.fields {
		if strings.HasPrefix(f.key, "_") && n.get(f.key[1:]) == nil && f.val.kind == 'o' {
			writeElement(b, f.key[1:], &node{kind: 'z'}, f.val)
		}
	}
}

func isExtension(n *node) bool {
	for _, f := range n.fields {
		if strings.HasPrefix(f.key, "value") || f.key == "extension" {
			return true
		}
	}
	return false
}

func writeElement(b *bytes.Buffer, name string, v, ext *node) {
	switch v.kind {
	case 'o':
		if v.get("resourceType") != nil {
			b.WriteString("<" + name + ">")
			writeResourceXML(b, v)
			b.WriteString("</" + name + ">")
			return
		}
		b.WriteString("<" + name)
		if id := v.get("id"); id != nil && id.kind == 's' {
			b.WriteString(` id="` + escapeAttr(id.text) + `"`)
		}
		if u := v.get("url"); u != nil && u.kind == 's' && isExtension(v) {
			b.WriteString(` url="` + escapeAttr(u.text) + `"`)
		}
		b.WriteString(">")
		writeChildren(b, v, false)
		b.WriteString("</" + name + ">")
	case 'z':
		if ext == nil {
			return
		}
		fallthrough
	default:
		if name == "div" && v.kind == 's' {
			b.WriteString(v.text) // narrative XHTML is already XML
			return
		}
		b.WriteString("<" + name)
		if ext != nil && ext.kind == 'o' {
			if id := ext.get("id"); id != nil {
				b.WriteString(` id="` + escapeAttr(id.text) + `"`)
			}
		}
		if v.kind != 'z' {
			b.WriteString(` value="` + escapeAttr(v.text) + `"`)
		}
		if ext == nil || ext.kind != 'o' || ext.get("extension") == nil {
			b.WriteString("/>")
			return
		}
		b.WriteString(">")
		for _, e := range ext.get("extension").items {
			writeElement(b, "extension", e, nil)
		}
		b.WriteString("</" + name + ">")
	}
}

var attrEscaper = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "\r", "&#xD;", "\n", "&#xA;", "\t", "&#x9;",
)

func escapeAttr(s string) string { return attrEscaper.Replace(s) }
