// libxml2 for Swift. Debian builds libxml2 with ICU, and its encoding.h then pulls in the system ICU
// headers, whose UErrorCode clashes with Foundation's own copy of ICU in any module that imports both
// (a clean build fails with "'UErrorCode' has different definitions"). We never touch libxml2's
// encoding-handler internals (the only place ICU types appear), so the ICU parts are left out here.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/xmlreader.h>
#include <libxml/parser.h>
#include <libxml/SAX2.h>
#include <libxml/xmlerror.h>
