package review

import (
	"regexp"
	"strings"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

var (
	dockerFrom    = regexp.MustCompile(`(?i)^\s*FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?`)
	dockerAddURL  = regexp.MustCompile(`(?i)^\s*ADD\s+(?:--\S+\s+)*(?:(?:https?|ftp)://|git@)`)
	dockerAddSum  = regexp.MustCompile(`(?i)--checksum=`)
	composeImage  = regexp.MustCompile(`^\s*(?:-\s*)?image\s*:\s*["']?([^"'\s#]+)`)
	composeDanger = regexp.MustCompile(`(?i)^\s*(?:-\s*)?(?:privileged\s*:\s*["']?true|(?:network_mode|pid|ipc)\s*:\s*["']?host|cap_add\s*:|security_opt\s*:)|/var/run/docker\.sock`)
)

// checkDockerfile reports changes to how the image is built: new base
// images, ADD of remote URLs, and compose files gaining host privileges.
// curl | sh in a Dockerfile is reported by install-hook.
func checkDockerfile(r *ranges.Range) []Finding {
	var findings []Finding
	for i := range r.Files {
		f := &r.Files[i]
		if f.Status == ranges.FileDeleted || f.Binary {
			continue
		}
		var fs []Finding
		switch {
		case isDockerfile(f.Path):
			fs = dockerfileFindings(r, f)
		case isCompose(f.Path):
			fs = composeFindings(r, f)
		default:
			continue
		}
		if len(fs) == 0 && f.Added+f.Removed > 0 {
			fs = append(fs, Finding{
				Severity:       weigh(r, f, Low),
				Title:          "Container build file changed",
				Evidence:       []string{f.Path},
				Detail:         "No new base image, remote ADD or host privilege; other build steps changed.",
				Recommendation: "Skim the new build steps for downloads and copied secrets.",
			})
		}
		findings = append(findings, fs...)
	}
	return findings
}

func dockerfileFindings(r *ranges.Range, f *ranges.FileChange) []Finding {
	stages := map[string]bool{}
	for _, content := range [][]byte{f.New, f.Old} {
		sc := lineScanner(content)
		for sc.Scan() {
			if m := dockerFrom.FindStringSubmatch(sc.Text()); m != nil && m[2] != "" {
				stages[strings.ToLower(m[2])] = true
			}
		}
	}
	oldImages := map[string]bool{}
	if f.Old != nil {
		sc := lineScanner(f.Old)
		for sc.Scan() {
			if m := dockerFrom.FindStringSubmatch(sc.Text()); m != nil {
				oldImages[m[1]] = true
			}
		}
	} else {
		for _, l := range f.RemovedLines {
			if m := dockerFrom.FindStringSubmatch(l.Text); m != nil {
				oldImages[m[1]] = true
			}
		}
	}

	var from, add, addSum evidence
	var images, unpinned []string
	for _, l := range f.AddedLines {
		if m := dockerFrom.FindStringSubmatch(l.Text); m != nil {
			img := m[1]
			if stages[strings.ToLower(img)] || oldImages[img] || strings.EqualFold(img, "scratch") {
				continue
			}
			from.addLine(f.Path, l.No)
			images = appendUnique(images, img)
			if !strings.Contains(img, "@sha256:") {
				unpinned = appendUnique(unpinned, img)
			}
		}
		if dockerAddURL.MatchString(l.Text) {
			if dockerAddSum.MatchString(l.Text) {
				addSum.addLine(f.Path, l.No)
			} else {
				add.addLine(f.Path, l.No)
			}
		}
	}
	addMissedRemotes(f, &add)
	var findings []Finding
	if !from.empty() {
		detail := "New base images: " + listed(images, 10) + "."
		if len(unpinned) > 0 {
			detail += " Not pinned by digest: " + listed(unpinned, 10) + "."
		}
		findings = append(findings, Finding{
			Severity:       weigh(r, f, Medium),
			Title:          "New base image in " + f.Path,
			Evidence:       from.items,
			Detail:         detail + from.note(),
			Recommendation: "Check the image's publisher, and prefer a digest pin.",
		})
	}
	if !add.empty() {
		findings = append(findings, Finding{
			Severity:       weigh(r, f, High),
			Title:          "Dockerfile ADDs a remote URL without a checksum",
			Evidence:       add.items,
			Detail:         "ADD <url> puts whatever the host serves at build time into the image." + add.note(),
			Recommendation: "Ask for ADD --checksum=sha256:… or a pinned, verified download.",
		})
	}
	if !addSum.empty() {
		findings = append(findings, Finding{
			Severity:       weigh(r, f, Medium),
			Title:          "Dockerfile ADDs a remote URL",
			Evidence:       addSum.items,
			Detail:         "The download is verified by a checksum; the source is still new." + addSum.note(),
			Recommendation: "Check the URL's owner.",
		})
	}
	return findings
}

func composeFindings(r *ranges.Range, f *ranges.FileChange) []Finding {
	moved := removedSet(f)
	var images, danger evidence
	var names []string
	for _, l := range f.AddedLines {
		if !moved.novel(l.Text) {
			continue
		}
		if m := composeImage.FindStringSubmatch(l.Text); m != nil && !seenBefore(f, m[1]) {
			images.addLine(f.Path, l.No)
			names = appendUnique(names, m[1])
		}
		if composeDanger.MatchString(l.Text) {
			danger.addLine(f.Path, l.No)
		}
	}
	var findings []Finding
	if !images.empty() {
		findings = append(findings, Finding{
			Severity:       weigh(r, f, Medium),
			Title:          "New image in compose file " + f.Path,
			Evidence:       images.items,
			Detail:         "Images: " + listed(names, 10) + "." + images.note(),
			Recommendation: "Check the image's publisher, and prefer a digest pin.",
		})
	}
	if !danger.empty() {
		findings = append(findings, Finding{
			Severity:       weigh(r, f, High),
			Title:          "Compose file gains host privileges",
			Evidence:       danger.items,
			Detail:         "privileged mode, host namespaces, added capabilities or the Docker socket give the container control of the host." + danger.note(),
			Recommendation: "Ask why the container needs it; the registry should not ship it.",
		})
	}
	return findings
}
