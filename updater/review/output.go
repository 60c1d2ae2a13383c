package review

import (
	"fmt"
	"os"
	"path/filepath"
)

// Output file names, shared by `updater review --output DIR` and the
// agent reviewer contract.
const (
	ReportFile = "report.md"
	LabelsFile = "labels.txt"
)

// WriteOutput writes report.md and labels.txt into dir, creating it. Each
// file is written to a temporary name and renamed, so a reader never sees
// half a report.
func WriteOutput(dir string, res *Result, meta ReportMeta) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("review output %s: %w", dir, err)
	}
	if err := writeFileAtomic(filepath.Join(dir, ReportFile), []byte(res.FullMarkdown(meta))); err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, LabelsFile), []byte(res.LabelsFile()))
}

func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("review output %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("review output %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("review output %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("review output %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("review output %s: %w", path, err)
	}
	return nil
}
