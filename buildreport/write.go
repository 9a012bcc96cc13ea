package buildreport

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"path/filepath"
	"strings"
)

// Format is the report's format for a file name: json or html.
func Format(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		return "json", nil
	case ".html", ".htm":
		return "html", nil
	}
	return "", fmt.Errorf("--report %s: the file name must end in .html or .json", path)
}

// Render writes r in format (json or html).
func (r *Report) Render(format string) ([]byte, error) {
	if format == "json" {
		b, err := json.MarshalIndent(r, "", "  ")
		return append(b, '\n'), err
	}
	var b bytes.Buffer
	err := page.Execute(&b, r.view())
	return b.Bytes(), err
}

//go:embed report.html.tmpl
var pageSource string

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"dur": dur,
	"inc": func(i int) int { return i + 1 },
}).Parse(pageSource))

// dur shows a duration in seconds as people read it.
func dur(s Seconds) string {
	switch {
	case s < 0.001:
		return "0 s"
	case s < 1:
		return fmt.Sprintf("%.0f ms", float64(s)*1000)
	case s < 60:
		return fmt.Sprintf("%.1f s", float64(s))
	}
	return fmt.Sprintf("%dm%02ds", int(s)/60, int(s)%60)
}

// The timeline's geometry, in SVG user units (pixels).
const (
	labelWidth = 220
	chartWidth = 1000
	rowHeight  = 16
	barHeight  = 12
	headHeight = 22
	axisHeight = 20
)

type bar struct {
	Index         int
	X, Y, W       float64
	Class, Title  string
	Critical      bool
	Label         string
	LabelX, TextY float64
}

type lane struct {
	Y     float64
	Label string
}

type tick struct {
	X     float64
	Label string
}

type view struct {
	*Report
	Bars                 []bar
	Lanes                []lane
	Ticks                []tick
	Width, Height, Chart float64
	Label                float64
}

// view lays the timeline out: a band per daemon, a row per lane, a bar
// per started step.
func (r *Report) view() view {
	v := view{Report: r, Chart: chartWidth, Label: labelWidth, Width: labelWidth + chartWidth + 10}
	scale := chartWidth / math.Max(float64(r.Duration), 0.001)
	y := float64(axisHeight)
	for _, d := range r.Daemons {
		v.Lanes = append(v.Lanes, lane{Y: y + 15, Label: "daemon " + d})
		y += headHeight
		lanes := 0
		for i, s := range r.Steps {
			if s.Daemon != d || s.Started == nil {
				continue
			}
			lanes = max(lanes, s.Lane+1)
			b := bar{Index: i, X: labelWidth + float64(s.Start)*scale, Y: y + float64(s.Lane*rowHeight),
				W: math.Max(float64(s.Duration)*scale, 1.5), Critical: s.Critical,
				Class: strings.ReplaceAll(s.Cache, " ", "-"), Title: fmt.Sprintf("%s — %s, %s", s.Name, dur(s.Duration), s.Cache)}
			if s.Error != "" {
				b.Class = "failed"
			}
			if b.W > 60 {
				b.Label, b.LabelX, b.TextY = fit(s.Name, b.W-6), b.X+3, b.Y+barHeight-2.5
			}
			v.Bars = append(v.Bars, b)
		}
		y += float64(lanes*rowHeight) + 6
	}
	v.Height = y
	step := niceStep(float64(r.Duration) / 8)
	for t := 0.0; t <= float64(r.Duration)+1e-9; t += step {
		v.Ticks = append(v.Ticks, tick{X: labelWidth + t*scale, Label: dur(Seconds(t))})
	}
	return v
}

// fit cuts a label to about what width holds at the timeline's font
// size (6 units a character).
func fit(s string, width float64) string {
	r := []rune(s)
	if n := int(width / 6); len(r) > n {
		return string(r[:max(n-1, 0)]) + "…"
	}
	return s
}

// niceStep rounds up to 1, 2 or 5 times a power of ten.
func niceStep(x float64) float64 {
	if x <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= x {
			return m * p
		}
	}
	return 10 * p
}
