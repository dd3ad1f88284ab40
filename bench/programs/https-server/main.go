// A stdlib-only HTTPS server, the kind of program people actually ship in a FROM-scratch image.
//
//	https-server [-addr :8443] [-cert FILE -key FILE] [-static DIR] [-upstream URL]
//
// Without -cert/-key it mints a self-signed ECDSA certificate at start. It serves an html/template status page
// at /, JSON at /api/stats and /api/echo, liveness at /healthz, files under /static/ (when -static is given),
// a zip of the -static directory at /api/export.zip, an XML sitemap at /sitemap.xml, a reverse proxy to
// -upstream under /proxy/, expvar at /debug/vars and pprof at /debug/pprof/; responses are gzip-compressed when the client accepts it,
// every request is logged, and SIGINT/SIGTERM shut it down gracefully. Built with CGO_ENABLED=0 (and without
// -s -w) it is a static binary of more than 10 MB.
package main

import (
	"archive/zip"
	"compress/gzip"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"expvar"
	"flag"
	"html/template"
	"io"
	"io/fs"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httputil"
	_ "net/http/pprof"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

var (
	started  = time.Now()
	requests = expvar.NewInt("requests")
	inFlight int64
)

var page = template.Must(template.New("index").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{.Name}}</title></head>
<body>
<h1>{{.Name}}</h1>
<p>Up since {{.Started.Format "2006-01-02 15:04:05 MST"}} ({{.Uptime}}), {{.Requests}} requests served.</p>
<table>
{{range $k, $v := .Info}}<tr><th>{{$k}}</th><td>{{$v}}</td></tr>
{{end}}</table>
<p>Your address: {{.Remote}}; you asked for <code>{{.Path}}</code>.</p>
</body>
</html>
`))

type stats struct {
	Name       string            `json:"name"`
	Started    time.Time         `json:"started"`
	Uptime     string            `json:"uptime"`
	Requests   int64             `json:"requests"`
	InFlight   int64             `json:"inFlight"`
	Goroutines int               `json:"goroutines"`
	HeapAlloc  uint64            `json:"heapAlloc"`
	Info       map[string]string `json:"info"`
}

func currentStats(name string) stats {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	host, _ := os.Hostname()
	return stats{
		Name:       name,
		Started:    started,
		Uptime:     time.Since(started).Round(time.Second).String(),
		Requests:   requests.Value(),
		InFlight:   atomic.LoadInt64(&inFlight),
		Goroutines: runtime.NumGoroutine(),
		HeapAlloc:  m.HeapAlloc,
		Info: map[string]string{
			"go":       runtime.Version(),
			"os/arch":  runtime.GOOS + "/" + runtime.GOARCH,
			"hostname": host,
			"pid":      expvar.Func(func() any { return os.Getpid() }).String(),
		},
	}
}

func main() {
	addr := flag.String("addr", ":8443", "listen address")
	certFile := flag.String("cert", "", "PEM certificate (default: mint a self-signed one)")
	keyFile := flag.String("key", "", "PEM private key")
	static := flag.String("static", "", "serve this directory under /static/")
	upstream := flag.String("upstream", "", "reverse-proxy /proxy/ to this URL")
	name := flag.String("name", "https-server", "name shown on the status page")
	flag.Parse()

	cert, err := loadOrMint(*certFile, *keyFile)
	if err != nil {
		log.Fatalf("certificate: %v", err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		s := currentStats(*name)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = page.Execute(w, struct {
			stats
			Remote, Path string
		}{s, r.RemoteAddr, r.URL.Path})
	})
	mux.HandleFunc("/api/stats", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, currentStats(*name))
	})
	mux.HandleFunc("/api/echo", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"method": r.Method, "path": r.URL.Path, "query": r.URL.Query(), "headers": r.Header,
			"body": string(body), "tls": tlsVersion(r.TLS),
		})
	})
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "ok\n")
	})
	if *static != "" {
		mux.Handle("/static/", http.StripPrefix("/static/", http.FileServer(http.Dir(*static))))
	}
	mux.HandleFunc("/sitemap.xml", func(w http.ResponseWriter, r *http.Request) {
		type loc struct {
			Loc string `xml:"loc"`
		}
		type urlset struct {
			XMLName xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
			URLs    []loc    `xml:"url"`
		}
		base := "https://" + r.Host
		set := urlset{URLs: []loc{{base + "/"}, {base + "/api/stats"}, {base + "/healthz"}}}
		w.Header().Set("Content-Type", "application/xml")
		_, _ = io.WriteString(w, xml.Header)
		_ = xml.NewEncoder(w).Encode(set)
	})
	mux.HandleFunc("/api/export.zip", func(w http.ResponseWriter, r *http.Request) {
		if *static == "" {
			http.Error(w, "no -static directory", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/zip")
		w.Header().Set("Content-Disposition", `attachment; filename="export.zip"`)
		if err := zipDir(w, *static); err != nil {
			log.Printf("export: %v", err)
		}
	})
	if *upstream != "" {
		target, err := url.Parse(*upstream)
		if err != nil {
			log.Fatalf("-upstream: %v", err)
		}
		mux.Handle("/proxy/", http.StripPrefix("/proxy", httputil.NewSingleHostReverseProxy(target)))
	}
	mux.Handle("/debug/", http.DefaultServeMux) // expvar and pprof register themselves there

	srv := &http.Server{
		Addr:              *addr,
		Handler:           logRequests(gzipResponses(mux)),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		TLSConfig: &tls.Config{
			MinVersion:   tls.VersionTLS12,
			Certificates: []tls.Certificate{cert},
		},
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("listening on https://%s", ln.Addr())
	go func() {
		if err := srv.ServeTLS(ln, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Fatal(err)
		}
	}()
	<-ctx.Done()
	log.Print("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Printf("shutdown: %v", err)
	}
}

func zipDir(w io.Writer, dir string) error {
	zw := zip.NewWriter(w)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		dst, err := zw.Create(filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		_, err = io.Copy(dst, f)
		return err
	})
	if err != nil {
		return err
	}
	return zw.Close()
}

func tlsVersion(cs *tls.ConnectionState) string {
	if cs == nil {
		return "none"
	}
	switch cs.Version {
	case tls.VersionTLS12:
		return "TLS 1.2"
	case tls.VersionTLS13:
		return "TLS 1.3"
	}
	return "0x" + strconv.FormatUint(uint64(cs.Version), 16)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (s *statusRecorder) WriteHeader(code int) { s.status = code; s.ResponseWriter.WriteHeader(code) }
func (s *statusRecorder) Write(b []byte) (int, error) {
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}

func logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		requests.Add(1)
		atomic.AddInt64(&inFlight, 1)
		defer atomic.AddInt64(&inFlight, -1)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		log.Printf("%s %s %s %d %dB %s", r.RemoteAddr, r.Method, r.URL.RequestURI(), rec.status, rec.bytes,
			time.Since(start).Round(time.Microsecond))
	})
}

type gzipWriter struct {
	http.ResponseWriter
	zw *gzip.Writer
}

func (g gzipWriter) Write(b []byte) (int, error) { return g.zw.Write(b) }

func gzipResponses(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") || strings.HasPrefix(r.URL.Path, "/debug/pprof") {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Add("Vary", "Accept-Encoding")
		zw := gzip.NewWriter(w)
		defer zw.Close()
		next.ServeHTTP(gzipWriter{w, zw}, r)
	})
}

func loadOrMint(certFile, keyFile string) (tls.Certificate, error) {
	if certFile != "" || keyFile != "" {
		return tls.LoadX509KeyPair(certFile, keyFile)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return tls.Certificate{}, err
	}
	host, _ := os.Hostname()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: host, Organization: []string{"self-signed"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              []string{"localhost", host},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.X509KeyPair(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
}
