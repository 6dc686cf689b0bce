// Package config layers a program's settings over its command-line flags:
// the flags' built-in defaults, then a TOML file, then PREFIX_* environment
// variables, then the command line, each overriding the one before. Every
// setting is a flag, under the same name in the file (max-viewers) and in
// the environment (PISTREAM_MAX_VIEWERS). It remembers where each value came
// from, so an error names the file, line and key that gave the bad value,
// and Print shows the effective configuration with its origins.
package config

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// Options tell Load where to look and which flags are not settings.
type Options struct {
	// ConfigFlag names the flag that gives the file ("config"); also read
	// from the environment. An empty value reads no file at all.
	ConfigFlag string
	// Defaults are the files tried in order when neither the flag nor
	// the environment gives one: the first that exists is read.
	Defaults []string
	// EnvPrefix starts the environment variables of the settings
	// ("PISTREAM_"): PISTREAM_MAX_VIEWERS sets max-viewers.
	EnvPrefix string
	// Commands are flags that act rather than set (print-config,
	// list-cameras): only the command line gives them.
	Commands []string
	// Secrets are flags whose values Print masks.
	Secrets []string
	// Env is the environment as KEY=VALUE; nil: os.Environ().
	Env []string
	// Check validates the settings after each layer is applied, so a bad
	// value is blamed on the layer that gave it; an error made by Invalid
	// names the flag at fault.
	Check func() error
}

// Source is the layer a value came from.
type Source int

// The layers, weakest first.
const (
	Default Source = iota
	File
	Env
	CommandLine
)

// Origin is where one setting's value came from.
type Origin struct {
	Source Source
	File   string // File: its path
	Line   int    // File: the key's line
	Env    string // Env: the variable
}

// String is "default", "FILE:LINE", "$VAR" or "command line".
func (o Origin) String() string {
	switch o.Source {
	case File:
		return fmt.Sprintf("%s:%d", o.File, o.Line)
	case Env:
		return "$" + o.Env
	case CommandLine:
		return "command line"
	}
	return "default"
}

// Config is the outcome of Load: the flags hold the effective values.
type Config struct {
	// File is the configuration file read, "" for none.
	File    string
	fs      *flag.FlagSet
	o       Options
	origins map[string]Origin
}

// InvalidError is a setting's value that a check rejects.
type InvalidError struct {
	Flag string
	Err  error
}

func (e *InvalidError) Error() string { return "--" + e.Flag + ": " + e.Err.Error() }
func (e *InvalidError) Unwrap() error { return e.Err }

// Invalid says the value of flag is wrong, for err; Load turns it into an
// error naming where that value came from.
func Invalid(flag string, err error) error { return &InvalidError{Flag: flag, Err: err} }

// Load parses args over fs and lays the file and the environment under
// them. fs's output gets the usage and the flag package's own errors, as
// with fs.Parse; flag.ErrHelp is returned for -h. Every other error names
// where the bad value came from: "FILE:LINE: key: reason",
// "$PREFIX_KEY: reason" or "--key: reason".
func Load(flags *flag.FlagSet, args []string, o Options) (*Config, error) {
	if err := flags.Parse(args); err != nil {
		return nil, err
	}
	if flags.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", flags.Arg(0))
	}
	c := &Config{fs: flags, o: o, origins: map[string]Origin{}}
	given := map[string]bool{}
	flags.Visit(func(f *flag.Flag) { given[f.Name] = true })
	env, err := c.environment()
	if err != nil {
		return nil, err
	}
	if c.File, err = c.findFile(given, env); err != nil {
		return nil, err
	}
	// Each layer is set over the defaults and checked, then the next; the
	// command line is parsed again last, so it wins.
	if c.File != "" {
		if err := c.loadFile(); err != nil {
			return nil, err
		}
		if err := c.check(); err != nil {
			return nil, err
		}
	}
	if err := c.setEnv(env); err != nil {
		return nil, err
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	if err := flags.Parse(args); err != nil { // parsed once already: cannot fail
		return nil, err
	}
	for name := range given {
		c.origins[name] = Origin{Source: CommandLine}
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	return c, nil
}

// Origin is where the value of the flag name came from.
func (c *Config) Origin(name string) Origin { return c.origins[name] }

// Settings are the names of the flags a file or the environment can set,
// in fs's (alphabetical) order: all but ConfigFlag and the Commands.
func Settings(flags *flag.FlagSet, o Options) []string {
	var names []string
	flags.VisitAll(func(f *flag.Flag) {
		if isSetting(f.Name, o) {
			names = append(names, f.Name)
		}
	})
	return names
}

func isSetting(name string, o Options) bool {
	return !slices.Contains(o.Commands, name) && name != o.ConfigFlag
}

// envName is the environment variable of the flag name.
func envName(prefix, name string) string {
	return prefix + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// check runs Options.Check, blaming an InvalidError on its flag's origin.
func (c *Config) check() error {
	if c.o.Check == nil {
		return nil
	}
	err := c.o.Check()
	var inv *InvalidError
	if errors.As(err, &inv) {
		if f := c.fs.Lookup(inv.Flag); f != nil && !c.secret(inv.Flag) {
			return c.blame(inv.Flag, fmt.Errorf("%s: %w", tomlValue(f), inv.Err))
		}
		return c.blame(inv.Flag, inv.Err)
	}
	return err
}

// blame prefixes err with where the value of name came from.
func (c *Config) blame(name string, err error) error {
	switch o := c.origins[name]; o.Source {
	case File:
		return fmt.Errorf("%s: %s: %w", o, name, err)
	case Env:
		return fmt.Errorf("$%s: %w", o.Env, err)
	}
	return fmt.Errorf("--%s: %w", name, err)
}

// environment is the PREFIX_* variables that are set and not empty, by
// flag name; a variable that names no setting is an error.
func (c *Config) environment() (map[string]string, error) {
	env := c.o.Env
	if env == nil {
		env = os.Environ()
	}
	byVar := map[string]string{}
	example := "" // a setting's variable, for the error's hint
	c.fs.VisitAll(func(f *flag.Flag) {
		if isSetting(f.Name, c.o) || f.Name == c.o.ConfigFlag {
			byVar[envName(c.o.EnvPrefix, f.Name)] = f.Name
			if example == "" && f.Name != c.o.ConfigFlag {
				example = "; the variable of --" + f.Name + " is " + envName(c.o.EnvPrefix, f.Name)
			}
		}
	})
	vals := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(k, c.o.EnvPrefix) || v == "" {
			continue
		}
		name, ok := byVar[k]
		if !ok {
			return nil, fmt.Errorf("$%s: no such setting (--help lists them%s)", k, example)
		}
		vals[name] = v
	}
	return vals, nil
}

// findFile is the file to read: the flag's, else the environment's, else
// the first default that exists; "" for none.
func (c *Config) findFile(given map[string]bool, env map[string]string) (string, error) {
	if c.o.ConfigFlag == "" {
		return "", nil
	}
	if given[c.o.ConfigFlag] {
		return c.fs.Lookup(c.o.ConfigFlag).Value.String(), nil
	}
	if p, ok := env[c.o.ConfigFlag]; ok {
		return p, nil
	}
	for _, p := range c.o.Defaults {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("config file: %w", err)
		}
	}
	return "", nil
}

// setEnv sets the flags from their environment variables.
func (c *Config) setEnv(env map[string]string) error {
	for name, v := range env {
		if name == c.o.ConfigFlag {
			continue
		}
		c.origins[name] = Origin{Source: Env, Env: envName(c.o.EnvPrefix, name)}
		if err := c.fs.Set(name, v); err != nil {
			return c.blame(name, c.valueError(name, v, err))
		}
	}
	return nil
}

// valueError is the error of a value v that the flag name cannot take:
// which value it wants for the flag package's own types, else err.
func (c *Config) valueError(name, v string, err error) error {
	f := c.fs.Lookup(name)
	if _, ok := f.Value.(flag.Getter); !ok || tomlType(f) == reflect.TypeFor[string]() && !isDuration(f) {
		return err
	}
	if c.secret(name) {
		return errors.New(want(f))
	}
	return fmt.Errorf("%q: %s", v, want(f))
}

func isDuration(f *flag.Flag) bool {
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return false
	}
	_, ok = g.Get().(time.Duration)
	return ok
}

// loadFile decodes c.File strictly into a struct with one field per
// setting, typed after its flag, and sets the flags it gives.
func (c *Config) loadFile() error {
	data, err := os.ReadFile(c.File)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	names := Settings(c.fs, c.o)
	fields := make([]reflect.StructField, len(names))
	for i, name := range names {
		fields[i] = reflect.StructField{
			Name: "F" + strconv.Itoa(i),
			Type: reflect.PointerTo(tomlType(c.fs.Lookup(name))),
			Tag:  reflect.StructTag(`toml:"` + name + `"`),
		}
	}
	v := reflect.New(reflect.StructOf(fields))
	dec := toml.NewDecoder(bytes.NewReader(data)).DisallowUnknownFields()
	if err := dec.Decode(v.Interface()); err != nil {
		return c.decodeError(err)
	}
	lines := keyLines(data)
	for i, name := range names {
		f := v.Elem().Field(i)
		if f.IsNil() {
			continue
		}
		c.origins[name] = Origin{Source: File, File: c.File, Line: lines[name]}
		s := fmt.Sprint(f.Elem().Interface())
		if err := c.fs.Set(name, s); err != nil {
			return c.blame(name, c.valueError(name, s, err))
		}
	}
	return nil
}

// tomlType is the Go type a flag's value decodes from: bool, int64,
// float64, or string for the rest (durations are strings such as "30s").
func tomlType(f *flag.Flag) reflect.Type {
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return reflect.TypeFor[string]()
	}
	switch g.Get().(type) {
	case bool:
		return reflect.TypeFor[bool]()
	case int, int64, uint, uint64:
		return reflect.TypeFor[int64]()
	case float64:
		return reflect.TypeFor[float64]()
	}
	return reflect.TypeFor[string]()
}

// want says which TOML value a flag takes.
func want(f *flag.Flag) string {
	if isDuration(f) {
		return `want a duration such as "30s" or "5m"`
	}
	switch tomlType(f) {
	case reflect.TypeFor[bool]():
		return "want true or false"
	case reflect.TypeFor[int64]():
		return "want an integer"
	case reflect.TypeFor[float64]():
		return "want a number"
	}
	return "want a string in quotes"
}

// decodeError turns go-toml's errors into "FILE:LINE: key: reason", one
// line for each unknown key.
func (c *Config) decodeError(err error) error {
	var missing *toml.StrictMissingError
	if errors.As(err, &missing) {
		errs := make([]error, len(missing.Errors))
		for i, e := range missing.Errors {
			line, _ := e.Position()
			key := strings.Join(e.Key(), ".")
			msg := "unknown key"
			if alt := strings.ReplaceAll(key, "_", "-"); alt != key && c.fs.Lookup(alt) != nil && isSetting(alt, c.o) {
				msg += fmt.Sprintf(" (did you mean %s?)", alt)
			} else if len(e.Key()) > 1 {
				msg += " (the file has no tables: settings are top-level keys)"
			}
			errs[i] = fmt.Errorf("%s:%d: %s: %s", c.File, line, key, msg)
		}
		return errors.Join(errs...)
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, _ := de.Position()
		key := strings.Join(de.Key(), ".")
		if f := c.fs.Lookup(key); f != nil && isSetting(key, c.o) && strings.Contains(de.Error(), "cannot decode") {
			return fmt.Errorf("%s:%d: %s: %s", c.File, line, key, want(f))
		}
		msg := strings.TrimPrefix(de.Error(), "toml: ")
		if key != "" {
			return fmt.Errorf("%s:%d: %s: %s", c.File, line, key, msg)
		}
		return fmt.Errorf("%s:%d: %s", c.File, line, msg)
	}
	return fmt.Errorf("%s: %w", c.File, err)
}

// keyLines finds the line of each top-level key of a document that
// decoded without error.
func keyLines(data []byte) map[string]int {
	lines := map[string]int{}
	var p unstable.Parser
	p.Reset(data)
	for p.NextExpression() {
		e := p.Expression()
		if e.Kind != unstable.KeyValue {
			continue
		}
		it := e.Key()
		if it.Next() {
			k := it.Node()
			lines[string(k.Data)] = p.Shape(k.Raw).Start.Line
		}
	}
	return lines
}

// Print writes the effective configuration as TOML, every setting with
// where its value came from, secrets masked.
func (c *Config) Print(w io.Writer) error {
	file := c.File
	if file == "" {
		file = "none"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# the effective configuration; config file: %s\n", file)
	for _, name := range Settings(c.fs, c.o) {
		f := c.fs.Lookup(name)
		val := tomlValue(f)
		if c.secret(name) && f.Value.String() != "" {
			val = `'********'`
		}
		fmt.Fprintf(&b, "%s = %s # %s\n", name, val, c.origins[name])
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (c *Config) secret(name string) bool { return slices.Contains(c.o.Secrets, name) }

// tomlValue is f's value as a TOML value of the type the file takes.
func tomlValue(f *flag.Flag) string {
	s := f.Value.String()
	switch tomlType(f) {
	case reflect.TypeFor[bool](), reflect.TypeFor[int64](), reflect.TypeFor[float64]():
		return s
	}
	b, err := toml.Marshal(map[string]string{"v": s})
	if err != nil { // a string always marshals
		return strconv.Quote(s)
	}
	_, v, _ := strings.Cut(strings.TrimSpace(string(b)), " = ")
	return v
}
