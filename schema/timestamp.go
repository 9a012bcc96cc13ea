package schema

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// timestampRe mirrors #timestampRe in recipe.cue (a test keeps the two in
// step). CUE checks the shape; ParseTimestamp also checks the calendar.
var timestampRe = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?([Zz]|[+-][0-9]{2}:?[0-9]{2}))?$`)

// ParseTimestamp parses a recipe timestamp: an ISO-8601 date-time with or
// without seconds (and fraction), with "Z", "±hh:mm" or "±hhmm", or a bare
// date, which means midnight UTC. The result is in UTC.
func ParseTimestamp(s string) (time.Time, error) {
	m := timestampRe.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, fmt.Errorf("%q is not an ISO-8601 date or date-time with a zone", s)
	}
	if m[1] == "" {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return time.Time{}, fmt.Errorf("%q is not a valid date: %s", s, parseReason(err))
		}
		return t, nil
	}
	// Bring the accepted spellings onto one layout: 'T' separator, 'Z'
	// zone, seconds present, zone with a colon. Go then checks ranges
	// (month 13, February 30, hour 24, ...).
	date, clock, zone := s[:10], m[1][1:], m[4]
	clock = clock[:len(clock)-len(zone)]
	if m[2] == "" {
		clock += ":00"
	}
	switch {
	case zone == "z" || zone == "Z":
		zone = "Z"
	case !strings.Contains(zone, ":"):
		zone = zone[:3] + ":" + zone[3:]
	}
	t, err := time.Parse(time.RFC3339Nano, date+"T"+clock+zone)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a valid date-time: %s", s, parseReason(err))
	}
	return t.UTC(), nil
}

// parseReason keeps the useful tail of a time.ParseError ("month out of
// range") without repeating the input and layout.
func parseReason(err error) string {
	if pe, ok := err.(*time.ParseError); ok && pe.Message != "" {
		return strings.TrimPrefix(pe.Message, ": ")
	}
	return "out of range"
}
