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
#include <string.h>

typedef struct bo_strbuf {
  char *buf; /* NUL-terminated when len > 0; owned */
  size_t len, cap;
  bool failed; /* an allocation failed: the content is incomplete */
} bo_strbuf;

/* Makes room for `more` bytes and the NUL; false when an allocation failed.
 * The slow path of the appends, which are inline: responses and events are
 * built from many pieces of a few bytes, most of them literals. */
bool bo__sb_grow(bo_strbuf *sb, size_t more);

static inline void bo_sb_raw(bo_strbuf *sb, const char *s, size_t n) {
  if (sb->len + n + 1 > sb->cap && !bo__sb_grow(sb, n)) return;
  memcpy(sb->buf + sb->len, s, n);
  sb->len += n;
  sb->buf[sb->len] = '\0';
}

static inline void bo_sb_str(bo_strbuf *sb, const char *s) { bo_sb_raw(sb, s, strlen(s)); }
/* Appends s as a quoted JSON string ("\"", "\\" and control characters escaped). */
void bo_sb_json_str(bo_strbuf *sb, const char *s);
void bo_sb_i64(bo_strbuf *sb, int64_t v);
/* For writing many small pieces without a call each: room for n more
 * bytes (and the NUL), a pointer to write at; NULL when an allocation
 * failed. bo_sb_wrote then sets the end of what was written. */
static inline char *bo_sb_room(bo_strbuf *sb, size_t n) {
  return sb->len + n + 1 <= sb->cap || bo__sb_grow(sb, n) ? sb->buf + sb->len : NULL;
}
void bo_sb_wrote(bo_strbuf *sb, char *end);
/* Writes v in decimal at p (at most 20 bytes); returns the end. */
char *bo_dec(char *p, int64_t v);
/* Takes the text out of sb (the caller frees it); NULL when an allocation failed. */
char *bo_sb_take(bo_strbuf *sb);

#endif
