#ifndef SITEGEN_CLIBXML2_SHIM_H
#define SITEGEN_CLIBXML2_SHIM_H

// Foundation brings its own ICU; libxml2's ICU headers would clash with it
// ('UErrorCode' has different definitions in different modules).
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/HTMLparser.h>

// xmlFree is a global function pointer, which Swift 6 rejects as shared mutable state.
static inline void sitegen_xmlFree(void *pointer) { xmlFree(pointer); }

// Helpers for the page scan (PageReaders.swift, PageScan.swift): pure reads of what the
// streaming parser passes on or of a parsed tree, safe on several threads at once.
#include <string.h>

// Namespaces the checks care about.
#define SITEGEN_NS_OTHER 0
#define SITEGEN_NS_XHTML 1
#define SITEGEN_NS_SVG 2
#define SITEGEN_NS_XLINK 3

static inline int sitegen_uri_code(const xmlChar *uri) {
    if (uri == NULL) return SITEGEN_NS_OTHER;
    const char *href = (const char *)uri;
    if (strcmp(href, "http://www.w3.org/1999/xhtml") == 0) return SITEGEN_NS_XHTML;
    if (strcmp(href, "http://www.w3.org/2000/svg") == 0) return SITEGEN_NS_SVG;
    if (strcmp(href, "http://www.w3.org/1999/xlink") == 0) return SITEGEN_NS_XLINK;
    return SITEGEN_NS_OTHER;
}

static inline int sitegen_ns_code(const xmlNs *ns) {
    return ns == NULL ? SITEGEN_NS_OTHER : sitegen_uri_code(ns->href);
}

// Element local names the checks care about (the namespace is checked separately).
#define SITEGEN_TAG_OTHER 0
#define SITEGEN_TAG_A 1
#define SITEGEN_TAG_AREA 2
#define SITEGEN_TAG_SCRIPT 3
#define SITEGEN_TAG_IMG 4
#define SITEGEN_TAG_IFRAME 5
#define SITEGEN_TAG_SOURCE 6
#define SITEGEN_TAG_VIDEO 7
#define SITEGEN_TAG_AUDIO 8
#define SITEGEN_TAG_TRACK 9
#define SITEGEN_TAG_EMBED 10
#define SITEGEN_TAG_INPUT 11
#define SITEGEN_TAG_OBJECT 12
#define SITEGEN_TAG_FORM 13
#define SITEGEN_TAG_LINK 14
#define SITEGEN_TAG_BASE 15
#define SITEGEN_TAG_STYLE 16
#define SITEGEN_TAG_TABLE 17
#define SITEGEN_TAG_CAPTION 18
#define SITEGEN_TAG_TH 19
#define SITEGEN_TAG_TD 20
#define SITEGEN_TAG_LABEL 21
#define SITEGEN_TAG_OUTPUT 22
#define SITEGEN_TAG_SVG 23
#define SITEGEN_TAG_TITLE 24
#define SITEGEN_TAG_HTML 25
#define SITEGEN_TAG_HEAD 26
#define SITEGEN_TAG_META 27

static inline int sitegen_tag_code(const xmlChar *name) {
    if (name == NULL) return SITEGEN_TAG_OTHER;
    const char *n = (const char *)name;
    switch (n[0]) {
    case 'a':
        if (n[1] == 0) return SITEGEN_TAG_A;
        if (strcmp(n, "area") == 0) return SITEGEN_TAG_AREA;
        if (strcmp(n, "audio") == 0) return SITEGEN_TAG_AUDIO;
        break;
    case 'b': if (strcmp(n, "base") == 0) return SITEGEN_TAG_BASE; break;
    case 'c': if (strcmp(n, "caption") == 0) return SITEGEN_TAG_CAPTION; break;
    case 'e': if (strcmp(n, "embed") == 0) return SITEGEN_TAG_EMBED; break;
    case 'f': if (strcmp(n, "form") == 0) return SITEGEN_TAG_FORM; break;
    case 'h':
        if (strcmp(n, "html") == 0) return SITEGEN_TAG_HTML;
        if (strcmp(n, "head") == 0) return SITEGEN_TAG_HEAD;
        break;
    case 'i':
        if (strcmp(n, "img") == 0) return SITEGEN_TAG_IMG;
        if (strcmp(n, "iframe") == 0) return SITEGEN_TAG_IFRAME;
        if (strcmp(n, "input") == 0) return SITEGEN_TAG_INPUT;
        break;
    case 'l':
        if (strcmp(n, "link") == 0) return SITEGEN_TAG_LINK;
        if (strcmp(n, "label") == 0) return SITEGEN_TAG_LABEL;
        break;
    case 'm': if (strcmp(n, "meta") == 0) return SITEGEN_TAG_META; break;
    case 'o':
        if (strcmp(n, "object") == 0) return SITEGEN_TAG_OBJECT;
        if (strcmp(n, "output") == 0) return SITEGEN_TAG_OUTPUT;
        break;
    case 's':
        if (strcmp(n, "script") == 0) return SITEGEN_TAG_SCRIPT;
        if (strcmp(n, "source") == 0) return SITEGEN_TAG_SOURCE;
        if (strcmp(n, "style") == 0) return SITEGEN_TAG_STYLE;
        if (strcmp(n, "svg") == 0) return SITEGEN_TAG_SVG;
        break;
    case 't':
        if (n[1] == 'd' && n[2] == 0) return SITEGEN_TAG_TD;
        if (n[1] == 'h' && n[2] == 0) return SITEGEN_TAG_TH;
        if (strcmp(n, "table") == 0) return SITEGEN_TAG_TABLE;
        if (strcmp(n, "title") == 0) return SITEGEN_TAG_TITLE;
        if (strcmp(n, "track") == 0) return SITEGEN_TAG_TRACK;
        break;
    case 'v': if (strcmp(n, "video") == 0) return SITEGEN_TAG_VIDEO; break;
    }
    return SITEGEN_TAG_OTHER;
}

// Attributes the checks read: index into the array filled by sitegen_collect_attributes.
// All are no-namespace attributes except SITEGEN_ATTR_XLINK_HREF.
#define SITEGEN_ATTR_OTHER 0
#define SITEGEN_ATTR_ID 1
#define SITEGEN_ATTR_HREF 2
#define SITEGEN_ATTR_SRC 3
#define SITEGEN_ATTR_POSTER 4
#define SITEGEN_ATTR_DATA 5
#define SITEGEN_ATTR_ACTION 6
#define SITEGEN_ATTR_REL 7
#define SITEGEN_ATTR_SRCSET 8
#define SITEGEN_ATTR_STYLE 9
#define SITEGEN_ATTR_ALT 10
#define SITEGEN_ATTR_ROLE 11
#define SITEGEN_ATTR_ARIA_LABEL 12
#define SITEGEN_ATTR_ARIA_LABELLEDBY 13
#define SITEGEN_ATTR_ARIA_DESCRIBEDBY 14
#define SITEGEN_ATTR_ARIA_CONTROLS 15
#define SITEGEN_ATTR_ARIA_OWNS 16
#define SITEGEN_ATTR_FOR 17
#define SITEGEN_ATTR_HEADERS 18
#define SITEGEN_ATTR_CLASS 19
#define SITEGEN_ATTR_XLINK_HREF 20
#define SITEGEN_ATTR_LANG 21
#define SITEGEN_ATTR_CHARSET 22
#define SITEGEN_ATTR_COUNT 23

static inline int sitegen_attr_code(const xmlChar *name) {
    if (name == NULL) return SITEGEN_ATTR_OTHER;
    const char *n = (const char *)name;
    switch (n[0]) {
    case 'a':
        if (strcmp(n, "alt") == 0) return SITEGEN_ATTR_ALT;
        if (strcmp(n, "action") == 0) return SITEGEN_ATTR_ACTION;
        if (strncmp(n, "aria-", 5) == 0) {
            const char *rest = n + 5;
            if (strcmp(rest, "label") == 0) return SITEGEN_ATTR_ARIA_LABEL;
            if (strcmp(rest, "labelledby") == 0) return SITEGEN_ATTR_ARIA_LABELLEDBY;
            if (strcmp(rest, "describedby") == 0) return SITEGEN_ATTR_ARIA_DESCRIBEDBY;
            if (strcmp(rest, "controls") == 0) return SITEGEN_ATTR_ARIA_CONTROLS;
            if (strcmp(rest, "owns") == 0) return SITEGEN_ATTR_ARIA_OWNS;
        }
        break;
    case 'c':
        if (strcmp(n, "class") == 0) return SITEGEN_ATTR_CLASS;
        if (strcmp(n, "charset") == 0) return SITEGEN_ATTR_CHARSET;
        break;
    case 'd': if (strcmp(n, "data") == 0) return SITEGEN_ATTR_DATA; break;
    case 'f': if (strcmp(n, "for") == 0) return SITEGEN_ATTR_FOR; break;
    case 'h':
        if (strcmp(n, "href") == 0) return SITEGEN_ATTR_HREF;
        if (strcmp(n, "headers") == 0) return SITEGEN_ATTR_HEADERS;
        break;
    case 'i': if (n[1] == 'd' && n[2] == 0) return SITEGEN_ATTR_ID; break;
    case 'l': if (strcmp(n, "lang") == 0) return SITEGEN_ATTR_LANG; break;
    case 'p': if (strcmp(n, "poster") == 0) return SITEGEN_ATTR_POSTER; break;
    case 'r':
        if (strcmp(n, "rel") == 0) return SITEGEN_ATTR_REL;
        if (strcmp(n, "role") == 0) return SITEGEN_ATTR_ROLE;
        break;
    case 's':
        if (strcmp(n, "src") == 0) return SITEGEN_ATTR_SRC;
        if (strcmp(n, "srcset") == 0) return SITEGEN_ATTR_SRCSET;
        if (strcmp(n, "style") == 0) return SITEGEN_ATTR_STYLE;
        break;
    }
    return SITEGEN_ATTR_OTHER;
}

// 1 when the `count` bytes at `text` hold "url(" (ASCII letters in any case); else 2 when they
// hold a non-ASCII byte (the caller then decides with Unicode rules); else 0.
static inline int sitegen_has_url_call_n(const xmlChar *text, size_t count) {
    if (text == NULL) return 0;
    int nonASCII = 0;
    for (size_t i = 0; i < count; i++) {
        const unsigned char *p = text + i;
        if (*p >= 0x80) nonASCII = 1;
        if (i + 3 < count && (*p | 0x20) == 'u' && (p[1] | 0x20) == 'r' && (p[2] | 0x20) == 'l' && p[3] == '(') return 1;
    }
    return nonASCII ? 2 : 0;
}

static inline int sitegen_has_url_call(const xmlChar *text) {
    return text == NULL ? 0 : sitegen_has_url_call_n(text, strlen((const char *)text));
}

// The value of an attribute node without copying it, when it is a single text node (the usual
// case, and the one xmlGetNoNsProp copies as it is): sets *direct and returns 1. An attribute
// without children has the value "" (returns 1 with *direct = ""). Otherwise returns 0 and the
// caller must use xmlNodeListGetString(doc, attr->children, 1), as xmlGetNoNsProp does.
static inline int sitegen_attr_direct_value(const xmlAttr *attr, const xmlChar **direct) {
    const xmlNode *child = attr->children;
    if (child == NULL) { *direct = (const xmlChar *)""; return 1; }
    if (child->next == NULL && (child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE)) {
        *direct = child->content;  // NULL here means xmlGetNoNsProp would return NULL
        return 1;
    }
    return 0;
}

// Fills out[SITEGEN_ATTR_COUNT] with the element's attributes the checks read (NULL when absent).
// Returns 1 when `svg` is set and some no-namespace attribute other than style holds "url("
// (or holds non-ASCII text that the caller must check itself), else 0.
static inline int sitegen_collect_attributes(const xmlNode *node, const xmlAttr **out, int svg) {
    memset(out, 0, sizeof(const xmlAttr *) * SITEGEN_ATTR_COUNT);
    int needsCSS = 0;
    for (const xmlAttr *attr = node->properties; attr != NULL; attr = attr->next) {
        if (attr->ns == NULL) {
            int code = sitegen_attr_code(attr->name);
            if (code != SITEGEN_ATTR_OTHER && out[code] == NULL) out[code] = attr;
            if (svg && !needsCSS && code != SITEGEN_ATTR_STYLE) {
                const xmlChar *direct = NULL;
                if (!sitegen_attr_direct_value(attr, &direct)) needsCSS = 1;  // unusual value: let Swift look
                else if (sitegen_has_url_call(direct) != 0) needsCSS = 1;
            }
        } else if (sitegen_ns_code(attr->ns) == SITEGEN_NS_XLINK && attr->name != NULL && strcmp((const char *)attr->name, "href") == 0) {
            if (out[SITEGEN_ATTR_XLINK_HREF] == NULL) out[SITEGEN_ATTR_XLINK_HREF] = attr;
        }
    }
    return needsCSS;
}

// The attributes of an element as the SAX2 parser passes them to startElementNs: five pointers
// each (local name, prefix, namespace URI, value start, value end). Fills starts/ends
// [SITEGEN_ATTR_COUNT] with the value bytes of the attributes the checks read (NULL when absent)
// and returns SITEGEN_SAX_* flags.
//
// Values are passed on as the parser keeps them before it builds a tree: every character
// reference and predefined entity is already replaced, except that a literal '&' stays as the
// five bytes "&#38;" (the tree builder decodes those). Any other '&' is a reference to a declared
// or undeclared general entity, which only a tree resolves as the checks expect.
#define SITEGEN_SAX_SVG_CSS 1     // an SVG attribute other than style holds "url(" (or non-ASCII text: let Swift look)
#define SITEGEN_SAX_NEEDS_TREE 2  // an entity reference in a value, or an xml:id (whose checks the tree builder does)

static inline int sitegen_sax_attributes(int count, const xmlChar **attributes,
                                         const xmlChar **starts, const xmlChar **ends, int svg) {
    memset(starts, 0, sizeof(const xmlChar *) * SITEGEN_ATTR_COUNT);
    memset(ends, 0, sizeof(const xmlChar *) * SITEGEN_ATTR_COUNT);
    int flags = 0;
    for (int i = 0; i < count; i++) {
        const xmlChar **a = attributes + 5 * i;
        const xmlChar *name = a[0], *prefix = a[1], *uri = a[2], *value = a[3], *end = a[4];
        size_t length = (size_t)(end - value);
        for (const xmlChar *p = memchr(value, '&', length); p != NULL; p = memchr(p + 1, '&', (size_t)(end - p - 1))) {
            if (end - p < 5 || memcmp(p, "&#38;", 5) != 0) flags |= SITEGEN_SAX_NEEDS_TREE;
        }
        if (uri == NULL) {
            int code = sitegen_attr_code(name);
            if (code != SITEGEN_ATTR_OTHER && starts[code] == NULL) { starts[code] = value; ends[code] = end; }
            if (svg && code != SITEGEN_ATTR_STYLE && sitegen_has_url_call_n(value, length) != 0) flags |= SITEGEN_SAX_SVG_CSS;
        } else if (sitegen_uri_code(uri) == SITEGEN_NS_XLINK && strcmp((const char *)name, "href") == 0) {
            if (starts[SITEGEN_ATTR_XLINK_HREF] == NULL) { starts[SITEGEN_ATTR_XLINK_HREF] = value; ends[SITEGEN_ATTR_XLINK_HREF] = end; }
        } else if (prefix != NULL && strcmp((const char *)prefix, "xml") == 0 && strcmp((const char *)name, "id") == 0) {
            flags |= SITEGEN_SAX_NEEDS_TREE;
        }
    }
    return flags;
}

// 1 when the `count` bytes at `text` hold a byte other than XML blanks (space, tab, LF, CR).
static inline int sitegen_has_non_blank_n(const xmlChar *text, size_t count) {
    for (size_t i = 0; i < count; i++) {
        unsigned char c = text[i];
        if (c != 0x20 && c != 0x09 && c != 0x0A && c != 0x0D) return 1;
    }
    return 0;
}

#endif
