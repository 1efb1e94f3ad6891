package views

import "testing"

// The cursor starts in the username field, or, when a failed attempt comes back with the username
// filled in, in the emptied password field.
func TestSignInAutofocus(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    SignInView
		want string
	}{
		{"first visit", SignInView{}, "username"},
		{"wrong password", SignInView{Username: "nurse1", Error: "The username or password is not right."}, "password"},
		{"empty password", SignInView{Username: "nurse1", FieldErrors: map[string]string{FieldPassword: "Enter your password."}}, "password"},
		{"username too long", SignInView{Username: "x", FieldErrors: map[string]string{FieldUsername: "Too long."}}, "username"},
	} {
		d := doc(t, SignInPage(tc.v))
		if got := d.Find("input[autofocus]"); got.Length() != 1 || got.AttrOr("id", "") != tc.want {
			t.Errorf("%s: autofocus on %d inputs (id %q), want %s", tc.name, got.Length(), got.AttrOr("id", ""), tc.want)
		}
	}
}
