package review

import (
	"net"
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

// checkNetworkEndpoint reports, per file, hosts in added lines that the
// file did not mention before, and email recipients added to code.
func checkNetworkEndpoint(r *ranges.Range) []Finding {
	var findings []Finding
	for i := range r.Files {
		f := &r.Files[i]
		if f.Status == ranges.FileDeleted || f.Binary || isLockfile(f.Path) {
			continue
		}
		findings = append(findings, endpointFindings(r, f)...)
	}
	return findings
}

func endpointFindings(r *ranges.Range, f *ranges.FileChange) []Finding {
	var hostEv, mailEv evidence
	hosts := map[string]bool{}
	var recipients []string
	bcc := false
	for _, l := range f.AddedLines {
		if strings.Contains(l.Text, "://") {
			for _, m := range urlHost.FindAllStringSubmatch(l.Text, -1) {
				h := endpointHost(m[1])
				if h == "" || hosts[h] || seenBefore(f, h) {
					continue
				}
				hosts[h] = true
				hostEv.addLine(f.Path, l.No)
			}
		}
		if strings.IndexByte(l.Text, '@') >= 0 {
			for _, m := range emailRecipient.FindAllStringSubmatch(l.Text, -1) {
				addr := strings.ToLower(m[2])
				_, domain, _ := strings.Cut(addr, "@")
				if endpointHost(domain) == "" || seenBefore(f, m[2]) {
					continue
				}
				recipients = appendUnique(recipients, addr)
				mailEv.addLine(f.Path, l.No)
				bcc = bcc || strings.EqualFold(m[1], "bcc")
			}
		}
	}
	var findings []Finding
	if len(hosts) > 0 {
		names := make([]string, 0, len(hosts))
		for h := range hosts {
			names = append(names, h)
		}
		sort.Strings(names)
		findings = append(findings, Finding{
			Severity:       weighDocs(r, f, Medium),
			Title:          "New network endpoints in " + f.Path,
			Evidence:       hostEv.items,
			Detail:         "Hosts not mentioned in this file before: " + listed(names, 15) + "." + hostEv.note(),
			Recommendation: "Check who runs each host and what data the server sends there.",
		})
	}
	if len(recipients) > 0 {
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
		findings = append(findings, fd)
	}
	return findings
}
