// A small stdlib-only CLI ("wordstat"): counts the words of its arguments, stdin (-stdin) or a built-in sentence,
// optionally filters them with a regular expression, and prints a JSON report with a SHA-256 of the input.
// Output is JSON (default), XML (-format xml), CSV (-format csv) or an aligned table (-format table), optionally gzip-compressed (-gzip).
// Uses flag, fmt, strings, regexp, sort, bufio, crypto/sha256, encoding/json, encoding/xml, encoding/csv, text/tabwriter and
// compress/gzip: about 2 MB with -s -w.
package main

import (
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

type wordCount struct {
	Word  string `json:"word"`
	Count int    `json:"count"`
}

type report struct {
	XMLName xml.Name    `json:"-" xml:"report"`
	Input   string      `json:"input"`
	SHA256  string      `json:"sha256"`
	Words   int         `json:"words"`
	Counts  []wordCount `json:"counts"`
	Elapsed string      `json:"elapsed"`
}

func main() {
	match := flag.String("match", "", "only count words matching this regular expression")
	fromStdin := flag.Bool("stdin", false, "read the text from standard input")
	top := flag.Int("top", 10, "report at most this many words")
	format := flag.String("format", "json", "output format: json, xml, csv or table")
	compress := flag.Bool("gzip", false, "gzip the output")
	flag.Parse()
	start := time.Now()

	text := "the quick brown fox jumps over the lazy dog, the end"
	if *fromStdin {
		var b strings.Builder
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			b.WriteString(sc.Text())
			b.WriteByte('\n')
		}
		text = b.String()
	} else if flag.NArg() > 0 {
		text = strings.Join(flag.Args(), " ")
	}
	var re *regexp.Regexp
	if *match != "" {
		var err error
		if re, err = regexp.Compile(*match); err != nil {
			fmt.Fprintln(os.Stderr, "bad -match:", err)
			os.Exit(2)
		}
	}

	counts := map[string]int{}
	words := strings.Fields(strings.ToLower(text))
	for _, w := range words {
		w = strings.Trim(w, ".,;:!?\"'()")
		if w == "" || (re != nil && !re.MatchString(w)) {
			continue
		}
		counts[w]++
	}
	sum := sha256.Sum256([]byte(text))
	r := report{Input: text, SHA256: hex.EncodeToString(sum[:]), Words: len(words)}
	for w, c := range counts {
		r.Counts = append(r.Counts, wordCount{w, c})
	}
	sort.Slice(r.Counts, func(i, j int) bool {
		if r.Counts[i].Count != r.Counts[j].Count {
			return r.Counts[i].Count > r.Counts[j].Count
		}
		return r.Counts[i].Word < r.Counts[j].Word
	})
	if len(r.Counts) > *top {
		r.Counts = r.Counts[:*top]
	}
	r.Elapsed = time.Since(start).String()
	var w io.Writer = os.Stdout
	if *compress {
		zw := gzip.NewWriter(os.Stdout)
		defer zw.Close()
		w = zw
	}
	if err := write(w, *format, r); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func write(w io.Writer, format string, r report) error {
	switch format {
	case "json":
		out, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(w, string(out))
		return err
	case "xml":
		out, err := xml.MarshalIndent(r, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(w, xml.Header+string(out))
		return err
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"word", "count"})
		for _, c := range r.Counts {
			_ = cw.Write([]string{c.Word, strconv.Itoa(c.Count)})
		}
		cw.Flush()
		return cw.Error()
	case "table":
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "WORD\tCOUNT\t\n")
		for _, c := range r.Counts {
			fmt.Fprintf(tw, "%s\t%d\t\n", c.Word, c.Count)
		}
		return tw.Flush()
	}
	return fmt.Errorf("unknown -format %q", format)
}
