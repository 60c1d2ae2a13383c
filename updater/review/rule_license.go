package review

import (
	"path"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

// checkLicenseChanged reports license files modified or removed in the
// server's directory or one of its parents (the license that covers it).
func checkLicenseChanged(r *ranges.Range) []Finding {
	var findings []Finding
	for i := range r.Files {
		f := &r.Files[i]
		if !isLicense(f.Path) || f.Status == ranges.FileAdded {
			continue
		}
		if !f.InDirectory && !isAncestorDir(path.Dir(f.Path), r.Directory) {
			continue
		}
		fd := Finding{
			Severity:       Low,
			Title:          "License file modified",
			Evidence:       []string{f.Path},
			Detail:         "The terms the server is distributed under may have changed.",
			Recommendation: "Check that the new license still allows the registry to build and distribute the image.",
		}
		if f.Status == ranges.FileDeleted {
			fd.Severity = Medium
			fd.Title = "License file removed"
			fd.Detail = "Without a license file the registry may no longer have the right to distribute the server."
		}
		findings = append(findings, fd)
	}
	return findings
}
