#ifndef SITEGEN_CLIBXML2_SHIM_H
#define SITEGEN_CLIBXML2_SHIM_H

// Foundation brings its own ICU; libxml2's ICU headers would clash with it
// ('UErrorCode' has different definitions in different modules).
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <libxml/HTMLparser.h>

// xmlFree is a global function pointer, which Swift 6 rejects as shared mutable state.
static inline void sitegen_xmlFree(void *pointer) { xmlFree(pointer); }

#endif
