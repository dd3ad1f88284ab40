// shout prints its arguments (or a greeting) framed; a Go module with an internal package, stdlib only.
package main

import (
	"fmt"
	"os"
	"strings"

	"example.com/shout/internal/banner"
)

func main() {
	text := "hello from go"
	if len(os.Args) > 1 {
		text = strings.Join(os.Args[1:], " ")
	}
	fmt.Println(banner.Frame(text))
}
