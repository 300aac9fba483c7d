// Command configdoc writes the table of configuration keys in docs/configuration.md from the
// config block of Pulumi.yaml, so that a key's type, default and description live in one place.
//
//	go run ./scripts/configdoc          # rewrites the table between the markers
//	go run ./scripts/configdoc -check   # exits 1 when the table is out of date
//
// Only the part between the begin and end markers is rewritten; the prose around it is kept.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

const (
	begin = "<!-- configdoc: begin (generated from Pulumi.yaml by `go run ./scripts/configdoc`; do not edit) -->\n"
	end   = "<!-- configdoc: end -->\n"
)

func main() {
	check := flag.Bool("check", false, "report whether the table is out of date instead of rewriting it")
	root := flag.String("root", ".", "the repository root (where Pulumi.yaml is)")
	flag.Parse()
	changed, err := update(*root, !*check)
	switch {
	case err != nil:
		fmt.Fprintln(os.Stderr, "configdoc:", err)
		os.Exit(2)
	case changed && *check:
		fmt.Fprintln(os.Stderr, "configdoc: docs/configuration.md is out of date with Pulumi.yaml: run go run ./scripts/configdoc")
		os.Exit(1)
	case changed:
		fmt.Println("configdoc: rewrote the table in docs/configuration.md")
	}
}

// update regenerates the table of root/docs/configuration.md from root/Pulumi.yaml; it reports
// whether the file's table differed, and writes the new one when write is set.
func update(root string, write bool) (changed bool, err error) {
	project, err := os.ReadFile(filepath.Join(root, "Pulumi.yaml"))
	if err != nil {
		return false, err
	}
	table, err := render(project)
	if err != nil {
		return false, fmt.Errorf("Pulumi.yaml: %w", err)
	}
	path := filepath.Join(root, "docs", "configuration.md")
	doc, err := os.ReadFile(path)
	if err != nil {
		return false, err
	}
	updated, err := splice(doc, table)
	if err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	if bytes.Equal(doc, updated) {
		return false, nil
	}
	if write {
		err = os.WriteFile(path, updated, 0o644)
	}
	return true, err
}

// splice puts table between the markers of doc.
func splice(doc []byte, table string) ([]byte, error) {
	head, rest, ok := bytes.Cut(doc, []byte(begin))
	if !ok {
		return nil, fmt.Errorf("no begin marker %q", strings.TrimSpace(begin))
	}
	_, tail, ok := bytes.Cut(rest, []byte(end))
	if !ok {
		return nil, fmt.Errorf("no end marker %q after the begin marker", strings.TrimSpace(end))
	}
	var out bytes.Buffer
	out.Write(head)
	out.WriteString(begin)
	out.WriteString(table)
	out.WriteString(end)
	out.Write(tail)
	return out.Bytes(), nil
}

// key is one entry of Pulumi.yaml's config block.
type key struct {
	Type  string `yaml:"type"`
	Items *struct {
		Type string `yaml:"type"`
	} `yaml:"items"`
	Default     yaml.Node `yaml:"default"`
	Description string    `yaml:"description"`
	Secret      bool      `yaml:"secret"`
}

// render makes the markdown table of the config block, in the order Pulumi.yaml declares it.
func render(project []byte) (string, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(project, &doc); err != nil {
		return "", err
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return "", errors.New("not a YAML mapping")
	}
	config := lookup(doc.Content[0], "config")
	if config == nil || config.Kind != yaml.MappingNode || len(config.Content) == 0 {
		return "", errors.New("no config block")
	}
	var b strings.Builder
	b.WriteString("| key | type | default | description |\n|---|---|---|---|\n")
	for i := 0; i+1 < len(config.Content); i += 2 {
		name := config.Content[i].Value
		var k key
		if err := config.Content[i+1].Decode(&k); err != nil {
			return "", fmt.Errorf("config.%s: %w", name, err)
		}
		if k.Description == "" {
			return "", fmt.Errorf("config.%s: no description: say what the key does", name)
		}
		typ := k.Type
		if typ == "array" && k.Items != nil {
			typ = "list of " + k.Items.Type
		}
		if k.Secret {
			typ += ", secret"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", name, cell(typ), defaultCell(&k.Default), cell(k.Description))
	}
	return b.String(), nil
}

func lookup(m *yaml.Node, name string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == name {
			return m.Content[i+1]
		}
	}
	return nil
}

// defaultCell shows a default as code; none, an empty text and an empty list show as a dash.
func defaultCell(n *yaml.Node) string {
	switch {
	case n.Kind == 0,
		n.Kind == yaml.ScalarNode && (n.Value == "" || n.Tag == "!!null"),
		(n.Kind == yaml.SequenceNode || n.Kind == yaml.MappingNode) && len(n.Content) == 0:
		return "—"
	case n.Kind == yaml.ScalarNode:
		return "`" + cell(n.Value) + "`"
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return "?"
	}
	out, err := yaml.Marshal(v)
	if err != nil {
		return "?"
	}
	return "`" + cell(strings.TrimSpace(string(out))) + "`"
}

// cell keeps a text inside one table cell: a | would end it, a line break would end the row.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.Join(strings.Fields(s), " ")
}
