package notes

import (
	"strings"

	"charm.land/glamour/v2/ansi"
	"charm.land/glamour/v2/styles"
	"github.com/alecthomas/chroma/v2"
	chromastyles "github.com/alecthomas/chroma/v2/styles"
)

// Glamour registers the colours of code blocks in chroma's registry once
// per process, under one name ("charm"), from the style of the first note
// rendered: every later render used them, a dark session's code in a light
// session's colours (invisible) or the reverse. Each style gets its own
// theme here instead, registered once, before any render, under its own
// name; glamour is given the theme's name and no colours to register.
var (
	darkStyle  = withCodeTheme(styles.DarkStyleConfig, "pistream-dark")
	lightStyle = withCodeTheme(styles.LightStyleConfig, "pistream-light")
)

// glamourStyle is the style of a note rendered for a dark or light
// terminal.
func glamourStyle(dark bool) ansi.StyleConfig {
	if dark {
		return darkStyle
	}
	return lightStyle
}

// withCodeTheme registers the code colours of cfg with chroma as theme
// and returns cfg naming that theme in their place.
func withCodeTheme(cfg ansi.StyleConfig, theme string) ansi.StyleConfig {
	c := cfg.CodeBlock.Chroma
	if c == nil {
		return cfg
	}
	chromastyles.Register(chroma.MustNewStyle(theme, chroma.StyleEntries{
		chroma.Text:                chromaEntry(c.Text),
		chroma.Error:               chromaEntry(c.Error),
		chroma.Comment:             chromaEntry(c.Comment),
		chroma.CommentPreproc:      chromaEntry(c.CommentPreproc),
		chroma.Keyword:             chromaEntry(c.Keyword),
		chroma.KeywordReserved:     chromaEntry(c.KeywordReserved),
		chroma.KeywordNamespace:    chromaEntry(c.KeywordNamespace),
		chroma.KeywordType:         chromaEntry(c.KeywordType),
		chroma.Operator:            chromaEntry(c.Operator),
		chroma.Punctuation:         chromaEntry(c.Punctuation),
		chroma.Name:                chromaEntry(c.Name),
		chroma.NameBuiltin:         chromaEntry(c.NameBuiltin),
		chroma.NameTag:             chromaEntry(c.NameTag),
		chroma.NameAttribute:       chromaEntry(c.NameAttribute),
		chroma.NameClass:           chromaEntry(c.NameClass),
		chroma.NameConstant:        chromaEntry(c.NameConstant),
		chroma.NameDecorator:       chromaEntry(c.NameDecorator),
		chroma.NameException:       chromaEntry(c.NameException),
		chroma.NameFunction:        chromaEntry(c.NameFunction),
		chroma.NameOther:           chromaEntry(c.NameOther),
		chroma.Literal:             chromaEntry(c.Literal),
		chroma.LiteralNumber:       chromaEntry(c.LiteralNumber),
		chroma.LiteralDate:         chromaEntry(c.LiteralDate),
		chroma.LiteralString:       chromaEntry(c.LiteralString),
		chroma.LiteralStringEscape: chromaEntry(c.LiteralStringEscape),
		chroma.GenericDeleted:      chromaEntry(c.GenericDeleted),
		chroma.GenericEmph:         chromaEntry(c.GenericEmph),
		chroma.GenericInserted:     chromaEntry(c.GenericInserted),
		chroma.GenericStrong:       chromaEntry(c.GenericStrong),
		chroma.GenericSubheading:   chromaEntry(c.GenericSubheading),
		chroma.Background:          chromaEntry(c.Background),
	}))
	cfg.CodeBlock.Theme, cfg.CodeBlock.Chroma = theme, nil
	return cfg
}

// chromaEntry is a glamour style in chroma's words ("#c4c4c4 bg:#373737
// bold"), as glamour writes it.
func chromaEntry(s ansi.StylePrimitive) string {
	var parts []string
	if s.Color != nil {
		parts = append(parts, *s.Color)
	}
	if s.BackgroundColor != nil {
		parts = append(parts, "bg:"+*s.BackgroundColor)
	}
	for _, f := range []struct {
		on   *bool
		name string
	}{{s.Italic, "italic"}, {s.Bold, "bold"}, {s.Underline, "underline"}} {
		if f.on != nil && *f.on {
			parts = append(parts, f.name)
		}
	}
	return strings.Join(parts, " ")
}
