/*
 * xml: the one XML scraper. AWS's Query APIs (STS) and some error bodies
 * (moto's, S3-style) answer in XML; cwdemux needs a few leaf elements of
 * them, never a tree, so it looks for <tag>...</tag> and decodes the five
 * predefined entities.
 *
 * Ownership: xml_text() returns a string the caller frees.
 */
#ifndef XML_H
#define XML_H

#include <stddef.h>

/*
 * The text of the first <tag>...</tag> in s[0..len), its entities decoded;
 * NULL when there is none.
 */
char *xml_text(const char *s, size_t len, const char *tag);

#endif
