package receiver

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"carelake/schemas/careqlog"
)

// selfSigned writes a certificate for 127.0.0.1 and its key.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "careq test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	kb, _ := x509.MarshalECPrivateKey(key)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// Run serves HTTPS when given a certificate and key; the first cancel drains
// (health "draining", new calls 503) and seals the log.
func TestRunTLSAndGracefulShutdown(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr := make(chan string, 1)
	done := make(chan error, 1)
	var sum Summary
	go func() {
		var err error
		sum, err = Run(ctx, Options{
			ServerOptions: ServerOptions{Config: testConfig(t), PIIKey: []byte(piiKey), LogDir: dir},
			Addr:          "127.0.0.1:0",
			TLSCertFile:   certFile, TLSKeyFile: keyFile,
			DrainDelay: 400 * time.Millisecond,
			OnListen:   func(a net.Addr) { addr <- a.String() },
		})
		done <- err
	}()
	base := "https://" + <-addr
	c := NewClient(base, tokA1, secA1, SignedBody)
	c.HTTP = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 5 * time.Second}
	status, body, err := c.Send(context.Background(), "service", []byte(specBody(t, "service")))
	if err != nil || status != 201 {
		t.Fatalf("over TLS: %d %s %v", status, body, err)
	}
	// Plain HTTP to the TLS port fails.
	plain := NewClient("http://"+strings.TrimPrefix(base, "https://"), tokA1, secA1, SignedBody)
	if st, _, err := plain.Send(context.Background(), "service", []byte(specBody(t, "service"))); err == nil && st < 400 {
		t.Fatalf("plain HTTP accepted: %d", st)
	}

	cancel()
	time.Sleep(100 * time.Millisecond)
	status, body, _ = c.Health(context.Background())
	if status != 503 || !strings.Contains(string(body), `"draining"`) {
		t.Fatalf("health while draining: %d %s", status, body)
	}
	status, _, _ = c.Send(context.Background(), "doctor", []byte(specBody(t, "doctor")))
	if status != 503 {
		t.Fatalf("new call while draining: %d", status)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if open, _ := careqlog.OpenSegments(dir); len(open) != 0 {
		t.Fatalf("open segment after shutdown: %v", open)
	}
	recs := readAll(t, dir)
	// The call and the health check while draining; the call refused while
	// draining is not logged.
	if len(recs) != 2 || recs[0].Status != 201 || recs[1].Endpoint != careqlog.EndpointHealth {
		t.Fatalf("log after shutdown: %d records", len(recs))
	}
	if sum.Records != 2 || sum.Sealed != 1 {
		t.Fatalf("Run's summary %+v, the log holds 2 records in one segment", sum)
	}
}

func TestRunRefusesBadTLS(t *testing.T) {
	_, err := Run(context.Background(), Options{ServerOptions: ServerOptions{Config: testConfig(t), PIIKey: []byte(piiKey), LogDir: t.TempDir()},
		Addr: "127.0.0.1:0", TLSCertFile: "x.pem"})
	if err == nil || !strings.Contains(err.Error(), "both") {
		t.Fatalf("%v", err)
	}
	_, err = Run(context.Background(), Options{ServerOptions: ServerOptions{Config: testConfig(t), PIIKey: []byte(piiKey), LogDir: t.TempDir()},
		Addr: "127.0.0.1:0", TLSCertFile: "missing.pem", TLSKeyFile: "missing.key"})
	if err == nil || !strings.Contains(err.Error(), "TLS certificate") {
		t.Fatalf("%v", err)
	}
}

func TestNewRefusesShortPIIKey(t *testing.T) {
	_, err := New(ServerOptions{Config: testConfig(t), PIIKey: []byte("short"), LogDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), PIIKeyEnv) || strings.Contains(err.Error(), "short") {
		t.Fatalf("%v", err)
	}
}
