package kernel

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

func testMessage() *Message {
	return &Message{
		Identities: [][]byte{[]byte("client-a"), []byte("client-b")},
		Header:     Header{MsgID: "m1", Session: "s1", Username: "u", Date: "2026-01-01T00:00:00.000000Z", MsgType: "execute_request", Version: ProtocolVersion},
		Parent:     json.RawMessage(`{}`),
		Metadata:   map[string]any{"k": "v"},
		Content:    json.RawMessage(`{"code":"1+2","silent":false}`),
		Buffers:    [][]byte{{1, 2, 3}},
	}
}

func TestFramesParseRoundTrip(t *testing.T) {
	s, err := NewSigner("hmac-sha256", "secret")
	if err != nil {
		t.Fatal(err)
	}
	frames, err := s.Frames(testMessage())
	if err != nil {
		t.Fatal(err)
	}
	if len(frames) != 2+6+1 || !bytes.Equal(frames[2], delimiter) {
		t.Fatalf("framing: %q", frames)
	}
	// The signature is the hex HMAC-SHA256 of header, parent, metadata and content
	// (computed here independently of Sign's loop).
	want := s.Sign(bytes.Join(frames[4:8], nil))
	if string(frames[3]) != want {
		t.Fatalf("signature %s, want %s", frames[3], want)
	}
	m, err := s.Parse(frames)
	if err != nil {
		t.Fatal(err)
	}
	if m.Header != testMessage().Header || len(m.Identities) != 2 || string(m.Identities[1]) != "client-b" ||
		string(m.Content) != `{"code":"1+2","silent":false}` || m.Metadata["k"] != "v" || len(m.Buffers) != 1 {
		t.Fatalf("parsed %+v", m)
	}
}

func TestParseRefuses(t *testing.T) {
	s, _ := NewSigner("hmac-sha256", "secret")
	good, _ := s.Frames(testMessage())
	other, _ := NewSigner("hmac-sha256", "other")
	wrongKey, _ := other.Frames(testMessage())
	unsigned := append([][]byte(nil), good...)
	unsigned[3] = nil
	tampered := append([][]byte(nil), good...)
	tampered[7] = []byte(`{"code":"os.RemoveAll(\"/\")"}`)
	notHex := append([][]byte(nil), good...)
	notHex[3] = []byte("zz")
	badJSON := [][]byte{delimiter, nil, []byte(`{"msg_type":`), []byte("{}"), []byte("{}"), []byte("{}")}
	noType := [][]byte{delimiter, nil, []byte(`{"msg_id":"x"}`), []byte("{}"), []byte("{}"), []byte("{}")}
	for _, c := range []struct {
		name   string
		signer *Signer
		frames [][]byte
		want   error
	}{
		{"wrong key", s, wrongKey, ErrBadSignature},
		{"unsigned", s, unsigned, ErrNoSignature},
		{"tampered content", s, tampered, ErrBadSignature},
		{"signature not hex", s, notHex, ErrBadSignature},
		{"no delimiter", s, good[:2], ErrNoDelimiter},
		{"short", s, good[:6], ErrShortMessage},
		{"bad header JSON", &Signer{}, badJSON, ErrMalformedJSON},
		{"no msg_type", &Signer{}, noType, ErrMalformedJSON},
	} {
		if _, err := c.signer.Parse(c.frames); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
}

func TestEmptyKeyMeansNoSigning(t *testing.T) {
	s, err := NewSigner("", "")
	if err != nil {
		t.Fatal(err)
	}
	frames, _ := s.Frames(testMessage())
	if len(frames[3]) != 0 {
		t.Fatalf("signature %q with an empty key", frames[3])
	}
	frames[3] = []byte("anything") // not checked without a key
	if _, err := s.Parse(frames); err != nil {
		t.Fatal(err)
	}
	if _, err := NewSigner("hmac-md5", "k"); err == nil {
		t.Fatal("hmac-md5 accepted")
	}
}

func TestReplyEchoesParentHeader(t *testing.T) {
	s, _ := NewSigner("hmac-sha256", "k")
	frames, _ := s.Frames(testMessage())
	req, _ := s.Parse(frames)
	r, err := reply(req, "kernel-session", "execute_reply", map[string]any{"status": "ok"})
	if err != nil {
		t.Fatal(err)
	}
	if string(r.Parent) != string(frames[4]) || r.Header.Session != "kernel-session" || r.Header.MsgType != "execute_reply" ||
		len(r.Identities) != 2 || r.Header.Version != "5.3" || len(r.Header.MsgID) != 36 {
		t.Fatalf("reply %+v", r)
	}
}

// FuzzParse feeds arbitrary frames (split at NUL bytes) to the parser: it must never
// panic, and what it accepts must survive a Frames/Parse round trip.
func FuzzParse(f *testing.F) {
	s, _ := NewSigner("", "")
	good, _ := s.Frames(testMessage())
	f.Add(bytes.Join(good, []byte{0}))
	f.Add([]byte("<IDS|MSG>\x00\x00{}\x00{}\x00{}\x00{}"))
	f.Add([]byte("id\x00<IDS|MSG>\x00sig\x00{\"msg_type\":\"x\"}\x00{}\x00null\x00[]\x00buf"))
	f.Fuzz(func(t *testing.T, data []byte) {
		frames := bytes.Split(data, []byte{0})
		m, err := s.Parse(frames)
		if err != nil {
			return
		}
		again, err := s.Frames(m)
		if err != nil {
			t.Fatalf("re-framing a parsed message: %v", err)
		}
		m2, err := s.Parse(again)
		if err != nil {
			t.Fatalf("re-parsing: %v", err)
		}
		if m2.Header != m.Header || !bytes.Equal(m2.Content, m.Content) {
			t.Fatalf("round trip changed %+v into %+v", m, m2)
		}
	})
}
