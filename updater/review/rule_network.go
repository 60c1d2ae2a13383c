package review

import (
	"net"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

var (
	urlHost = regexp.MustCompile(`(?i)\b(?:https?|wss?|ftps?)://([^\s/"'<>()\[\]{}` + "`" + `,;|\\?#]+)`)
	// emailRecipient is an address assigned to a recipient field: a BCC
	// added to an email-sending server copies every message to someone.
	emailRecipient = regexp.MustCompile(`(?i)\b(bcc|cc|to|recipients?)\b["']?\s*[:=]\s*[^@\n]{0,40}?([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})`)
	hostName       = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$`)
)

// harmlessHosts never carry traffic: loopback, documentation domains and
// XML/JSON schema namespaces.
var harmlessHosts = map[string]bool{
	"localhost": true, "example.com": true, "example.org": true, "example.net": true,
	"www.w3.org": true, "w3.org": true, "json-schema.org": true, "schema.org": true, "xmlns.com": true,
}

var harmlessSuffixes = []string{".example", ".test", ".invalid", ".localhost", ".local", ".example.com", ".example.org", ".example.net"}

// endpointHost normalises the authority of a URL to a host, or "" when it
// is not a public host worth reporting.
func endpointHost(authority string) string {
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		authority = authority[i+1:]
	}
	host := authority
	if h, _, err := net.SplitHostPort(authority); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if harmlessHosts[host] {
		return ""
	}
	for _, s := range harmlessSuffixes {
		if strings.HasSuffix(host, s) {
			return ""
		}
	}
	if ip := net.ParseIP(host); ip != nil {
		if ip.IsLoopback() || ip.IsUnspecified() {
			return ""
		}
		return host
	}
	if !hostName.MatchString(host) {
		return "" // placeholders (${HOST}, {host}) and single-label names
	}
	return host
}

// checkNetworkEndpoint reports hosts that added lines mention and their
// file did not before, one finding per host wherever it appears, and email
// recipients added to files. URLs that carry no traffic are left out:
// documentation, ignore and editor files, package metadata ($schema,
// homepage, repository, [project.urls]) and comments.
func checkNetworkEndpoint(r *ranges.Range) []Finding {
	var findings []Finding
	hosts := map[string]*hostSeen{}
	var order []string
	for i := range r.Files {
		f := &r.Files[i]
		if f.Status == ranges.FileDeleted || f.Binary || isLockfile(f.Path) {
			continue
		}
		if !urlFreeFile(f.Path) {
			for _, h := range fileHosts(f) {
				hs := hosts[h.host]
				if hs == nil {
					hs = &hostSeen{}
					hosts[h.host] = hs
					order = append(order, h.host)
				}
				hs.ev.addLine(f.Path, h.line)
				hs.severity = max(hs.severity, weighDocs(r, f, Medium))
			}
		}
		findings = append(findings, recipientFindings(r, f)...)
	}
	sort.Strings(order)
	for _, h := range order {
		hs := hosts[h]
		findings = append(findings, Finding{
			Severity:       hs.severity,
			Title:          "New network endpoint: " + h,
			Evidence:       hs.ev.items,
			Detail:         "A host the changed files did not mention before." + hs.ev.note(),
			Recommendation: "Check who runs the host and what data the server sends there.",
		})
	}
	return findings
}

type hostSeen struct {
	ev       evidence
	severity Severity
}

type hostAt struct {
	host string
	line int
}

// urlFreeFile reports files whose URLs are for people or tools, never
// traffic: documentation, ignore and editor settings, licenses.
func urlFreeFile(p string) bool {
	b := strings.ToLower(path.Base(p))
	switch path.Ext(b) {
	case ".md", ".mdx", ".rst", ".adoc", ".txt", ".html":
		return true
	}
	switch b {
	case ".gitignore", ".gitattributes", ".editorconfig", ".npmignore", ".dockerignore", ".prettierrc", ".prettierignore",
		".eslintignore", "codeowners", ".mailmap", "citation.cff", "funding.yml", "mkdocs.yml", "renovate.json", ".releaserc":
		return true
	}
	return isLicense(p) || strings.HasPrefix(b, ".eslintrc") || strings.HasPrefix(p, ".github/ISSUE_TEMPLATE/")
}

// metadataLine matches lines that only describe a package or a schema.
var metadataLine = regexp.MustCompile(`(?i)"\$schema"|\$schema\s*:|"(?:homepage|repository|bugs|funding|author|contributors|license|documentation|url)"\s*:|` +
	`^\s*(?:homepage|repository|documentation|docs|changelog|issues|source|tracker|bug[ _-]?tracker|funding|download|"[^"]*")\s*=|\bxmlns(?::\w+)?\s*=|@see\b|@link\b`)

func fileHosts(f *ranges.FileChange) []hostAt {
	var out []hostAt
	seen := map[string]bool{}
	code := isCode(f.Path)
	for _, l := range f.AddedLines {
		if !strings.Contains(l.Text, "://") {
			continue
		}
		t := strings.TrimSpace(l.Text)
		if (code || isBuildScript(f.Path)) && isCommentLine(t) || metadataLine.MatchString(l.Text) {
			continue
		}
		for _, m := range urlHost.FindAllStringSubmatch(l.Text, -1) {
			h := endpointHost(m[1])
			if h == "" || seen[h] || seenBefore(f, h) {
				continue
			}
			seen[h] = true
			out = append(out, hostAt{h, l.No})
		}
	}
	return out
}

// recipientFindings reports email addresses added as recipients. BCC and
// CC in code belong to the hidden-recipient rule, which also sees
// assembled addresses.
func recipientFindings(r *ranges.Range, f *ranges.FileChange) []Finding {
	var mailEv evidence
	var recipients []string
	bcc := false
	code := isCode(f.Path)
	for _, l := range f.AddedLines {
		if strings.IndexByte(l.Text, '@') < 0 {
			continue
		}
		for _, m := range emailRecipient.FindAllStringSubmatch(l.Text, -1) {
			isBcc := strings.EqualFold(m[1], "bcc")
			if code && (isBcc || strings.EqualFold(m[1], "cc")) {
				continue
			}
			addr := strings.ToLower(m[2])
			_, domain, _ := strings.Cut(addr, "@")
			if endpointHost(domain) == "" || seenBefore(f, m[2]) {
				continue
			}
			recipients = appendUnique(recipients, addr)
			mailEv.addLine(f.Path, l.No)
			bcc = bcc || isBcc
		}
	}
	if len(recipients) == 0 {
		return nil
	}
	fd := Finding{
		Severity:       weighDocs(r, f, Medium),
		Title:          "Email recipients added in " + f.Path,
		Evidence:       mailEv.items,
		Detail:         "Addresses: " + listed(recipients, 10) + "." + mailEv.note(),
		Recommendation: "Make sure no message the server sends is copied to a fixed address.",
	}
	if bcc {
		fd.Severity = weighDocs(r, f, High)
		fd.Title = "Hidden (BCC) email recipient added in " + f.Path
	}
	return []Finding{fd}
}
