/*
 * date.h — calendar days and instants, without reading any clock.
 *
 * A bo_day counts days since 1970-01-01 (UTC). An instant is int64 seconds
 * since the epoch (UTC). Parsers accept only the exact forms of the API
 * (YYYY-MM-DD, RFC 3339 "YYYY-MM-DDTHH:MM:SSZ") within BO_DAY_MIN..MAX.
 */
#ifndef BO_DATE_H
#define BO_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int32_t bo_day;
#define BO_DAY_NONE ((bo_day)INT32_MIN)
#define BO_SECONDS_PER_DAY 86400

bo_day bo_day_from_civil(int year, int month, int day);
void bo_day_to_civil(bo_day d, int *year, int *month, int *day);
/* The day containing instant `t` (floor division, so negative instants work). */
bo_day bo_day_of(int64_t t);
/* Parses "YYYY-MM-DD" (a real calendar date within the accepted range). */
bool bo_day_parse(const char *s, bo_day *out);
/* Writes "YYYY-MM-DD"; buf needs 11 bytes. Returns buf. */
char *bo_day_format(bo_day d, char buf[static 11]);
/* Writes the human form used in messages: "6 Dec 2026"; buf needs 16 bytes. */
char *bo_day_format_human(bo_day d, char buf[static 16]);
/* Parses an RFC 3339 UTC instant: "2026-12-01T09:00:00Z" (also +00:00, fractions ignored). */
bool bo_time_parse(const char *s, int64_t *out);
/* Writes "2026-12-01T09:00:00Z"; buf needs 21 bytes. */
char *bo_time_format(int64_t t, char buf[static 21]);

#endif
