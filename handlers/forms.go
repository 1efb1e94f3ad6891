package handlers

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/labstack/echo/v4"
)

// DefaultMRNPattern is MRN_PATTERN's default: 1–20 letters, digits or hyphens.
var DefaultMRNPattern = regexp.MustCompile(`^[A-Za-z0-9-]{1,20}$`)

// DefaultVitalsStaleAfter is how old the latest vitals may be before the strip says so.
const DefaultVitalsStaleAfter = 24 * time.Hour

// newValidator builds the one validator the handlers share, with Chartside's own rules:
// "mrn" checks the configured MRN pattern. Field names in errors are the form names, so messages
// can be attached to the right input.
func newValidator(mrn *regexp.Regexp) *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("form"), ",")
		if name == "" || name == "-" {
			return f.Name
		}
		return name
	})
	// The pattern comes from configuration and is compiled before the server starts, so the only
	// possible registration error is a programming mistake.
	if err := v.RegisterValidation("mrn", func(fl validator.FieldLevel) bool {
		return mrn.MatchString(fl.Field().String())
	}); err != nil {
		panic(fmt.Sprintf("handlers: register mrn validation: %v", err))
	}
	return v
}

// fieldErrors maps form field name to the message shown next to it.
type fieldErrors map[string]string

// messages for validator tags; the field's label is filled in.
var tagMessages = map[string]string{
	"required": "Enter the %s.",
	"mrn":      "That is not a valid %s. Check it against the wristband or record and type it again.",
}

// bindForm decodes the request body into dst (a pointer to a struct with form tags), trims every
// string field, and validates it. A nil fieldErrors means the form is valid; an error means the
// request itself was unusable (wrong content type, body too large).
func (s *Server) bindForm(c echo.Context, dst any, labels map[string]string) (fieldErrors, error) {
	if err := (&echo.DefaultBinder{}).BindBody(c, dst); err != nil {
		return nil, err
	}
	trimStrings(dst)
	err := s.validate.Struct(dst)
	if err == nil {
		return nil, nil
	}
	var ve validator.ValidationErrors
	if !errors.As(err, &ve) {
		return nil, fmt.Errorf("validate form: %w", err)
	}
	out := fieldErrors{}
	for _, fe := range ve {
		if _, seen := out[fe.Field()]; seen {
			continue
		}
		label := labels[fe.Field()]
		if label == "" {
			label = fe.Field()
		}
		msg, ok := tagMessages[fe.Tag()]
		if !ok {
			msg = "Check the %s."
		}
		out[fe.Field()] = fmt.Sprintf(msg, label)
	}
	return out, nil
}

// trimStrings trims surrounding white space from the exported string fields of *struct v: a value
// pasted with a trailing newline is what the clinician meant, not an invalid MRN.
func trimStrings(v any) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return
	}
	rv = rv.Elem()
	for i := range rv.NumField() {
		f := rv.Field(i)
		if f.Kind() == reflect.String && f.CanSet() {
			f.SetString(strings.TrimSpace(f.String()))
		}
	}
}
