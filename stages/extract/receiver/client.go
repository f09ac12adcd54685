package receiver

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"carelake/schemas/careqlog"
)

// Client sends signed calls to a receiver the way CareQ's platform does:
// bearer token, X-CareQ-Timestamp, and X-CareQ-Signature over the body (or
// "<timestamp>.<body>"). The demo and the tests replay deliveries with it.
type Client struct {
	// BaseURL is the receiver's root, e.g. http://127.0.0.1:8080.
	BaseURL string
	Token   string
	// Secret signs the calls; empty sends them unsigned.
	Secret        string
	SignedPayload string
	// APIKey and WebhookSecret are sent when set.
	APIKey, WebhookSecret string
	HTTP                  *http.Client
	// Now stamps the calls (default time.Now).
	Now func() time.Time
}

// NewClient returns a client with CareQ's 30 s request timeout.
func NewClient(baseURL, token, secret, signedPayload string) *Client {
	return &Client{BaseURL: strings.TrimRight(baseURL, "/"), Token: token, Secret: secret,
		SignedPayload: signedPayload, HTTP: &http.Client{Timeout: 30 * time.Second}}
}

// ClinicClients returns a client per clinic of cfg, by clinic ID, calling as
// CareQ does for that clinic: with its first token and first signing secret,
// and its X-API-Key and X-Webhook-Secret (internal/careqreplay replays the
// sample deliveries through them).
func ClinicClients(baseURL string, cfg *Config) map[string]*Client {
	clients := map[string]*Client{}
	for _, cc := range cfg.Clinics {
		secret := ""
		if len(cc.SigningSecrets) > 0 {
			secret = cc.SigningSecrets[0]
		}
		c := NewClient(baseURL, cc.Tokens[0], secret, cc.SignedPayload)
		c.APIKey, c.WebhookSecret = cc.APIKey, cc.WebhookSecret
		clients[cc.ClinicID] = c
	}
	return clients
}

// Send POSTs body to an endpoint ("patient", "appointment/status", ...) and
// returns the answer's status and body.
func (c *Client) Send(ctx context.Context, endpoint string, body []byte) (int, []byte, error) {
	req, err := c.Request(ctx, endpoint, body)
	if err != nil {
		return 0, nil, err
	}
	return c.do(req)
}

// Request builds the signed request Send would send.
func (c *Client) Request(ctx context.Context, endpoint string, body []byte) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.BaseURL+APIPrefix+endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("careq client: %w", err)
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	ts := now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	if c.Secret != "" && c.SignedPayload != SignedNone {
		req.Header.Set(HeaderSignature, Sign(c.Secret, c.SignedPayload, ts, body))
	}
	c.auth(req)
	return req, nil
}

// Health calls GET health.
func (c *Client) Health(ctx context.Context) (int, []byte, error) {
	req, err := c.HealthRequest(ctx)
	if err != nil {
		return 0, nil, err
	}
	return c.do(req)
}

// HealthRequest builds the request Health would send.
func (c *Client) HealthRequest(ctx context.Context) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.BaseURL+APIPrefix+careqlog.EndpointHealth, nil)
	if err != nil {
		return nil, fmt.Errorf("careq client: %w", err)
	}
	c.auth(req)
	return req, nil
}

func (c *Client) auth(req *http.Request) {
	req.Header.Set("Authorization", "Bearer "+c.Token)
	if c.APIKey != "" {
		req.Header.Set(HeaderAPIKey, c.APIKey)
	}
	if c.WebhookSecret != "" {
		req.Header.Set(HeaderWebhookSecret, c.WebhookSecret)
	}
}

func (c *Client) do(req *http.Request) (int, []byte, error) {
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("careq client: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("careq client: read answer: %w", err)
	}
	return resp.StatusCode, b, nil
}
