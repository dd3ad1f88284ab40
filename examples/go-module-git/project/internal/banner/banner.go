// Package banner frames a message for the terminal.
package banner

import "strings"

// Frame puts text, upper-cased, in a box of '*'.
func Frame(text string) string {
	line := "* " + strings.ToUpper(text) + " *"
	border := strings.Repeat("*", len(line))
	return border + "\n" + line + "\n" + border
}
