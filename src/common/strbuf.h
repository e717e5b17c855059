/*
 * strbuf.h — a growable byte buffer for building text, with JSON string
 * escaping. Used on the hot path to render responses and event payloads
 * without building a tree first. No domain knowledge.
 */
#ifndef BO_STRBUF_H
#define BO_STRBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct bo_strbuf {
  char *buf; /* NUL-terminated when len > 0; owned */
  size_t len, cap;
  bool failed; /* an allocation failed: the content is incomplete */
} bo_strbuf;

void bo_sb_raw(bo_strbuf *sb, const char *s, size_t n);
void bo_sb_str(bo_strbuf *sb, const char *s);
/* Appends s as a quoted JSON string ("\"", "\\" and control characters escaped). */
void bo_sb_json_str(bo_strbuf *sb, const char *s);
void bo_sb_i64(bo_strbuf *sb, int64_t v);
/* For writing many small pieces without a call each: room for n more
 * bytes (and the NUL), a pointer to write at; NULL when an allocation
 * failed. bo_sb_wrote then sets the end of what was written. */
char *bo_sb_room(bo_strbuf *sb, size_t n);
void bo_sb_wrote(bo_strbuf *sb, char *end);
/* Writes v in decimal at p (at most 20 bytes); returns the end. */
char *bo_dec(char *p, int64_t v);
/* Takes the text out of sb (the caller frees it); NULL when an allocation failed. */
char *bo_sb_take(bo_strbuf *sb);

#endif
