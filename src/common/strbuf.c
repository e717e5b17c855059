/* strbuf.c — see strbuf.h. */
#include "strbuf.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

bool bo__sb_grow(bo_strbuf *sb, size_t more) {
  if (sb->failed) return false;
  if (sb->len + more + 1 <= sb->cap) return true;
  size_t cap = sb->cap ? sb->cap : 1024; /* most answers fit */
  while (cap < sb->len + more + 1) cap *= 2;
  char *b = realloc(sb->buf, cap);
  if (!b) {
    sb->failed = true;
    return false;
  }
  bo_mem_prefault(b + sb->cap, cap - sb->cap);
  sb->buf = b;
  sb->cap = cap;
  return true;
}

void bo_sb_json_str(bo_strbuf *sb, const char *s) {
  static const char hex[] = "0123456789abcdef";
  bo_sb_raw(sb, "\"", 1);
  const char *run = s;
  for (; *s; s++) {
    const unsigned char c = (unsigned char)*s;
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    bo_sb_raw(sb, run, (size_t)(s - run));
    char esc[6] = {'\\', (char)c, 0, 0, 0, 0};
    size_t n = 2;
    if (c < 0x20) {
      memcpy(esc, "\\u00", 4);
      esc[4] = hex[c >> 4];
      esc[5] = hex[c & 15];
      n = 6;
    }
    bo_sb_raw(sb, esc, n);
    run = s + 1;
  }
  bo_sb_raw(sb, run, (size_t)(s - run));
  bo_sb_raw(sb, "\"", 1);
}

char *bo_dec(char *p, int64_t v) {
  if (v >= 0 && v < 10) { /* most are */
    *p++ = (char)('0' + v);
    return p;
  }
  char tmp[24];
  size_t i = sizeof tmp;
  uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  do {
    tmp[--i] = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  if (v < 0) tmp[--i] = '-';
  memcpy(p, tmp + i, sizeof tmp - i);
  return p + (sizeof tmp - i);
}

void bo_sb_i64(bo_strbuf *sb, int64_t v) {
  char *p = bo_sb_room(sb, 20);
  if (p) bo_sb_wrote(sb, bo_dec(p, v));
}

void bo_sb_wrote(bo_strbuf *sb, char *end) {
  sb->len = (size_t)(end - sb->buf);
  *end = '\0';
}

char *bo_sb_take(bo_strbuf *sb) {
  char *out = sb->failed ? NULL : sb->buf;
  if (sb->failed) free(sb->buf);
  if (out == NULL && !sb->failed) out = calloc(1, 1);
  *sb = (bo_strbuf){0};
  return out;
}
