package kernel

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"time"
)

// ProtocolVersion is the Jupyter messaging protocol version the kernel speaks.
const ProtocolVersion = "5.3"

// delimiter separates the routing identities of a message from its signed part.
var delimiter = []byte("<IDS|MSG>")

// Header is a message header (and the parent header of a reply).
type Header struct {
	MsgID    string `json:"msg_id"`
	Session  string `json:"session"`
	Username string `json:"username"`
	Date     string `json:"date"`
	MsgType  string `json:"msg_type"`
	Version  string `json:"version"`
}

// Message is one Jupyter message: the routing identities it came with (ROUTER sockets),
// the header, the parent header (raw JSON, "{}" when none), metadata, content and binary
// buffers.
type Message struct {
	Identities [][]byte
	Header     Header
	RawHeader  json.RawMessage // the header as received, echoed as replies' parent header
	Parent     json.RawMessage
	Metadata   map[string]any
	Content    json.RawMessage
	Buffers    [][]byte
}

// Signer signs and verifies messages with HMAC-SHA256 under the connection file's key.
// An empty key means no signing: the signature frame is empty and not checked, as the
// protocol specifies.
type Signer struct {
	key []byte
}

// NewSigner returns a signer for key ("" disables signing). The connection file's
// signature_scheme must be "hmac-sha256" (or empty with an empty key).
func NewSigner(scheme, key string) (*Signer, error) {
	if key != "" && scheme != "hmac-sha256" {
		return nil, fmt.Errorf("kernel: signature_scheme %q is not supported (only hmac-sha256)", scheme)
	}
	return &Signer{key: []byte(key)}, nil
}

// Sign returns the hex HMAC of the four signed frames, or "" without a key.
func (s *Signer) Sign(frames ...[]byte) string {
	if len(s.key) == 0 {
		return ""
	}
	return hex.EncodeToString(s.mac(frames))
}

func (s *Signer) mac(frames [][]byte) []byte {
	var h hash.Hash = hmac.New(sha256.New, s.key)
	for _, f := range frames {
		h.Write(f)
	}
	return h.Sum(nil)
}

// Errors returned by Parse.
var (
	ErrNoDelimiter   = errors.New("kernel: message has no <IDS|MSG> delimiter")
	ErrShortMessage  = errors.New("kernel: message has fewer than 5 frames after the delimiter")
	ErrBadSignature  = errors.New("kernel: message signature does not match")
	ErrNoSignature   = errors.New("kernel: message is not signed")
	ErrMalformedJSON = errors.New("kernel: malformed JSON in message")
)

// Parse splits the frames of a received message, checks its signature and decodes its
// header, parent header, metadata and content. A message with a missing or wrong
// signature is refused (ErrNoSignature, ErrBadSignature): the caller drops it.
func (s *Signer) Parse(frames [][]byte) (*Message, error) {
	i := 0
	for i < len(frames) && !bytes.Equal(frames[i], delimiter) {
		i++
	}
	if i == len(frames) {
		return nil, ErrNoDelimiter
	}
	if len(frames)-i-1 < 5 {
		return nil, ErrShortMessage
	}
	sig, signed := frames[i+1], frames[i+2:i+6]
	if len(s.key) > 0 {
		if len(sig) == 0 {
			return nil, ErrNoSignature
		}
		got := make([]byte, hex.DecodedLen(len(sig)))
		if _, err := hex.Decode(got, sig); err != nil || !hmac.Equal(got, s.mac(signed)) {
			return nil, ErrBadSignature
		}
	}
	m := &Message{Identities: frames[:i], RawHeader: json.RawMessage(signed[0])}
	if err := json.Unmarshal(signed[0], &m.Header); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrMalformedJSON, err)
	}
	if m.Header.MsgType == "" {
		return nil, fmt.Errorf("%w: header has no msg_type", ErrMalformedJSON)
	}
	if !json.Valid(signed[1]) {
		return nil, fmt.Errorf("%w: parent header", ErrMalformedJSON)
	}
	m.Parent = json.RawMessage(signed[1])
	if len(signed[2]) > 0 {
		if err := json.Unmarshal(signed[2], &m.Metadata); err != nil {
			return nil, fmt.Errorf("%w: metadata: %v", ErrMalformedJSON, err)
		}
	}
	if !json.Valid(signed[3]) {
		return nil, fmt.Errorf("%w: content", ErrMalformedJSON)
	}
	m.Content = json.RawMessage(signed[3])
	m.Buffers = frames[i+6:]
	return m, nil
}

// Frames serialises a message for sending: identities, delimiter, signature, the four
// JSON frames and the buffers.
func (s *Signer) Frames(m *Message) ([][]byte, error) {
	header, err := json.Marshal(m.Header)
	if err != nil {
		return nil, err
	}
	parent := []byte(m.Parent)
	if len(parent) == 0 {
		parent = []byte("{}")
	}
	md := m.Metadata
	if md == nil {
		md = map[string]any{}
	}
	metadata, err := json.Marshal(md)
	if err != nil {
		return nil, err
	}
	content := []byte(m.Content)
	if len(content) == 0 {
		content = []byte("{}")
	}
	out := make([][]byte, 0, len(m.Identities)+6+len(m.Buffers))
	out = append(out, m.Identities...)
	out = append(out, delimiter, []byte(s.Sign(header, parent, metadata, content)), header, parent, metadata, content)
	out = append(out, m.Buffers...)
	return out, nil
}

// newID returns a random message id (a UUID4 string, as jupyter_client writes them).
func newID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// now is the ISO 8601 time stamp of a header.
func now() string { return time.Now().UTC().Format("2006-01-02T15:04:05.000000Z") }

// reply builds a message of type msgType answering parent (same session, parent header
// set to parent's header) with content marshalled from v.
func reply(parent *Message, session, msgType string, v any) (*Message, error) {
	content, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("kernel: encoding %s: %w", msgType, err)
	}
	m := &Message{
		Header:  Header{MsgID: newID(), Session: session, Username: "kernel", Date: now(), MsgType: msgType, Version: ProtocolVersion},
		Content: content,
		Parent:  json.RawMessage("{}"),
	}
	if parent != nil {
		m.Identities = parent.Identities
		if len(parent.RawHeader) > 0 {
			m.Parent = parent.RawHeader
		} else if h, err := json.Marshal(parent.Header); err == nil {
			m.Parent = h
		}
		if parent.Header.Username != "" {
			m.Header.Username = parent.Header.Username
		}
	}
	return m, nil
}
