/*
 * json_in.c — input validation at the edge, once, against limits.h.
 *
 * JSON integers must be integers (not strings, floats or booleans) within
 * their bounds; unknown fields are refused so a typo is never silently
 * ignored. Messages are lower-case, failure first, naming the field.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

static void field_name(char *buf, size_t size, const char *prefix, const char *key) {
  snprintf(buf, size, "%s%s%s", prefix ? prefix : "", prefix && prefix[0] ? "." : "", key);
}

bool bo_id_valid(const char *s, size_t len_max) {
  const size_t n = strlen(s);
  if (n == 0 || n > len_max) return false;
  for (size_t i = 0; i < n; i++) {
    const char c = s[i];
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
          c == '.' || c == '_' || c == '-'))
      return false;
  }
  return true;
}

bo_rc bo_jin_only(json_t *obj, const char *const *allowed, const char *prefix, bo_err *err) {
  if (!json_is_object(obj))
    return bo_err_set(err, BO_E_INVALID, prefix ? prefix : "", "%s must be an object",
                      prefix && prefix[0] ? prefix : "body");
  const char *key;
  json_t *v;
  json_object_foreach(obj, key, v) {
    bool known = false;
    for (const char *const *a = allowed; *a && !known; a++) known = strcmp(*a, key) == 0;
    if (!known) {
      char f[96];
      field_name(f, sizeof f, prefix, key);
      return bo_err_set(err, BO_E_INVALID, f, "unknown field \"%.60s\"", f);
    }
  }
  return BO_OK;
}

/* The value at key: NULL when absent or null; sets *present. Missing required → error. */
static json_t *get(json_t *obj, const char *key, const char *prefix, bool required,
                   bool *present, bo_rc *rc, bo_err *err) {
  json_t *v = json_object_get(obj, key);
  if (v && json_is_null(v)) v = NULL;
  if (present) *present = json_object_get(obj, key) != NULL;
  *rc = BO_OK;
  if (!v && required) {
    char f[96];
    field_name(f, sizeof f, prefix, key);
    *rc = bo_err_set(err, BO_E_INVALID, f, "missing required field \"%s\"", f);
  }
  return v;
}

bo_rc bo_jin_int(json_t *obj, const char *key, const char *prefix, bool required, int64_t min,
                 int64_t max, int64_t *out, bool *present, bo_err *err) {
  bo_rc rc;
  json_t *v = get(obj, key, prefix, required, present, &rc, err);
  if (!v) return rc;
  const json_int_t x = json_is_integer(v) ? json_integer_value(v) : 0;
  if (json_is_integer(v) && x >= min && x <= max) {
    *out = x;
    return BO_OK;
  }
  char f[96]; /* named only for an error (formatting costs on the hot path) */
  field_name(f, sizeof f, prefix, key);
  if (!json_is_integer(v))
    return bo_err_set(err, BO_E_INVALID, f, "%s must be an integer", f);
  return bo_err_set(err, BO_E_INVALID, f, "%s %lld is out of range [%lld, %lld]", f,
                    (long long)x, (long long)min, (long long)max);
}

bo_rc bo_jin_str(json_t *obj, const char *key, const char *prefix, bool required,
                 size_t len_max, char *out, size_t size, bool *present, bo_err *err) {
  bo_rc rc;
  json_t *v = get(obj, key, prefix, required, present, &rc, err);
  if (!v) return rc;
  const size_t len = json_is_string(v) ? json_string_length(v) : 0;
  if (json_is_string(v) && len <= len_max && len < size &&
      !memchr(json_string_value(v), '\0', len)) {
    memcpy(out, json_string_value(v), len + 1);
    return BO_OK;
  }
  char f[96]; /* named only for an error */
  field_name(f, sizeof f, prefix, key);
  if (!json_is_string(v)) return bo_err_set(err, BO_E_INVALID, f, "%s must be a string", f);
  if (len > len_max || len >= size)
    return bo_err_set(err, BO_E_INVALID, f, "%s is longer than %zu characters", f, len_max);
  return bo_err_set(err, BO_E_INVALID, f, "%s contains a NUL character", f);
}

bo_rc bo_jin_bool(json_t *obj, const char *key, const char *prefix, bool *out, bool *present,
                  bo_err *err) {
  bo_rc rc;
  json_t *v = get(obj, key, prefix, false, present, &rc, err);
  if (!v) return rc;
  if (!json_is_boolean(v)) {
    char f[96];
    field_name(f, sizeof f, prefix, key);
    return bo_err_set(err, BO_E_INVALID, f, "%s must be true or false", f);
  }
  *out = json_is_true(v);
  return BO_OK;
}

bo_rc bo_jin_day(json_t *obj, const char *key, const char *prefix, bo_day *out, bool *present,
                 bo_err *err) {
  char buf[16];
  bool p = false;
  bo_rc rc = bo_jin_str(obj, key, prefix, false, 10, buf, sizeof buf, &p, err);
  if (present) *present = p;
  if (rc) return rc;
  json_t *v = json_object_get(obj, key);
  if (!v || json_is_null(v)) return BO_OK;
  if (!bo_day_parse(buf, out)) {
    char f[96];
    field_name(f, sizeof f, prefix, key);
    return bo_err_set(err, BO_E_INVALID, f, "%s \"%s\" is not a date YYYY-MM-DD", f, buf);
  }
  return BO_OK;
}

bo_rc bo_query_limit(bo_req *r, int *out) {
  const char *s = bo_query(r, "limit");
  *out = BO_LIST_LIMIT_DEFAULT;
  if (!s) return BO_OK;
  char *end;
  const long v = strtol(s, &end, 10);
  if (end == s || *end || v < 1 || v > BO_LIST_LIMIT_MAX)
    return bo_err_set(&r->err, BO_E_INVALID, "limit", "limit \"%.20s\" must be 1..%d", s,
                      BO_LIST_LIMIT_MAX);
  *out = (int)v;
  return BO_OK;
}

bo_rc bo_query_page(bo_req *r, size_t cursor_len_max, bo_page *page) {
  const bo_rc rc = bo_query_limit(r, &page->limit);
  if (rc) return rc;
  const char *cursor = bo_query(r, "cursor");
  if (cursor && strlen(cursor) > cursor_len_max)
    return bo_err_set(&r->err, BO_E_INVALID, "cursor", "cursor is not valid");
  page->after = cursor ? cursor : "";
  return BO_OK;
}

bo_rc bo_list_done(bo_req *r, bo_rc rc, json_t *items, int n, const bo_page *page,
                   const char *last) {
  if (rc) {
    json_decref(items);
    return rc;
  }
  r->resp = bo_page_json(items, n == page->limit ? last : NULL);
  return BO_OK;
}

json_t *bo_page_json(json_t *items, const char *next) {
  return json_pack("{s:o,s:o}", "data", items, "next", next ? json_string(next) : json_null());
}
