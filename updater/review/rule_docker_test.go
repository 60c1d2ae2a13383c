package review

import (
	"testing"
)

func TestDockerfile(t *testing.T) {
	runRuleCases(t, RuleDockerfile, []ruleCase{
		{"not a container file", newRange(modFile("docker/notes.txt", "a\n", "b\n")), nil},
		{"new base image", newRange(modFile("Dockerfile", "FROM node:20-alpine\nCOPY . .\n", "FROM node:22-alpine\nCOPY . .\n")),
			[]expect{{sev: Medium, title: "New base image", evidence: []string{"Dockerfile:1"}, detail: "Not pinned by digest: node:22-alpine"}}},
		{"digest-pinned base and stage references", newRange(modFile("Dockerfile",
			"FROM node:20 AS build\nRUN npm ci\nFROM build\n",
			"FROM --platform=$BUILDPLATFORM node@sha256:abcd AS build\nRUN npm ci\nFROM build AS final\n")),
			[]expect{{sev: Medium, evidence: []string{"Dockerfile:1"}, detail: "New base images: node@sha256:abcd."}}},
		{"ADD of a URL", newRange(modFile("build/Dockerfile.prod", "FROM alpine\n", "FROM alpine\nADD https://x.test/tool.tgz /opt/\n")),
			[]expect{{sev: High, title: "without a checksum", evidence: []string{"build/Dockerfile.prod:2"}}}},
		{"ADD of a URL over a continued line, and in JSON form", newRange(modFile("Dockerfile", "FROM alpine\nADD [\"https://old.test/a\", \"/a\"]\n",
			"FROM alpine\nADD [\"https://old.test/a\", \"/a\"]\nADD \\\n  https://x.test/tool.tgz /opt/\nADD [\"https://y.test/t.tgz\", \"/opt/\"]\n")),
			[]expect{{sev: High, title: "without a checksum", evidence: []string{"Dockerfile:3", "Dockerfile:5"}}}},
		{"ADD of a URL with checksum", newRange(modFile("Containerfile", "FROM alpine\n", "FROM alpine\nADD --checksum=sha256:00ff https://x.test/t.tgz /opt/\n")),
			[]expect{{sev: Medium, title: "ADDs a remote URL", evidence: []string{"Containerfile:2"}}}},
		{"other build steps", newRange(modFile("Dockerfile", "FROM alpine\nRUN apk add git\n", "FROM alpine\nRUN apk add git curl\n")),
			[]expect{{sev: Low, title: "Container build file changed", evidence: []string{"Dockerfile"}}}},
		{"compose image and privileges", newRange(modFile("compose.yaml",
			"services:\n  app:\n    build: .\n",
			"services:\n  app:\n    build: .\n    privileged: true\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n  sidecar:\n    image: ghcr.io/unknown/agent:latest\n")),
			[]expect{
				{sev: High, title: "host privileges", evidence: []string{"compose.yaml:4", "compose.yaml:6"}},
				{sev: Medium, title: "New image in compose", evidence: []string{"compose.yaml:8"}, detail: "ghcr.io/unknown/agent:latest"},
			}},
		{"another server's Dockerfile in a monorepo", withDirectory(newRange(modFile("src/other/Dockerfile", "FROM a\n", "FROM b\n")), "src/weather"),
			[]expect{{sev: Low, title: "New base image"}}},
		{"root Dockerfile builds the directory", withDirectory(newRange(modFile("Dockerfile", "FROM a\n", "FROM b\n")), "src/weather"),
			[]expect{{sev: Medium, title: "New base image"}}},
	})
}
