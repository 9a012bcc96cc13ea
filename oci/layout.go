package oci

import (
	"archive/tar"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// sourceLabel prefixes the annotations containerd adds to an index it has
// pushed, naming the repositories: they record the daemon's history, not
// the image, and would make two exports of one image differ.
const sourceLabel = "containerd.io/distribution.source."

// CleanLayout copies an OCI image layout tarball from r to w, dropping
// push-history annotations from index.json. Everything else is copied as is.
func CleanLayout(r io.Reader, w io.Writer) error {
	tr := tar.NewReader(r)
	tw := tar.NewWriter(w)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return tw.Close()
		}
		if err != nil {
			return fmt.Errorf("reading the OCI layout: %w", err)
		}
		if h.Name != "index.json" {
			if err := tw.WriteHeader(h); err != nil {
				return err
			}
			if _, err := io.Copy(tw, tr); err != nil {
				return err
			}
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return err
		}
		if data, err = cleanIndex(data); err != nil {
			return fmt.Errorf("index.json: %w", err)
		}
		h.Size = int64(len(data))
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if _, err := tw.Write(data); err != nil {
			return err
		}
	}
}

// cleanIndex drops the push-history annotations of the index's entries,
// keeping every other field (as raw JSON) in place.
func cleanIndex(data []byte) ([]byte, error) {
	var idx map[string]json.RawMessage
	if err := json.Unmarshal(data, &idx); err != nil {
		return nil, err
	}
	var manifests []map[string]json.RawMessage
	if raw, ok := idx["manifests"]; ok {
		if err := json.Unmarshal(raw, &manifests); err != nil {
			return nil, err
		}
	}
	var err error
	for _, m := range manifests {
		raw, ok := m["annotations"]
		if !ok {
			continue
		}
		var ann map[string]string
		if err := json.Unmarshal(raw, &ann); err != nil {
			return nil, err
		}
		for k := range ann {
			if strings.HasPrefix(k, sourceLabel) {
				delete(ann, k)
			}
		}
		if len(ann) == 0 {
			delete(m, "annotations")
		} else if m["annotations"], err = json.Marshal(ann); err != nil {
			return nil, err
		}
	}
	if idx["manifests"], err = json.Marshal(manifests); err != nil {
		return nil, err
	}
	return json.Marshal(idx)
}
