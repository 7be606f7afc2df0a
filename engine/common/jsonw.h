/* A tiny JSON field writer for trace events: builds `"k":v,...` into a fixed buffer. */
#ifndef IKE_COMMON_JSONW_H
#define IKE_COMMON_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IKE_JSONW_CAP 2048

/* Fields of one event; on overflow the text is cut at the last complete field. */
typedef struct ike_jsonw {
	size_t len;
	bool first;
	char buf[IKE_JSONW_CAP];
} ike_jsonw;

void ike_jsonw_init(ike_jsonw *w);
void ike_jsonw_str(ike_jsonw *w, const char *key, const char *val);
void ike_jsonw_int(ike_jsonw *w, const char *key, int64_t val);
void ike_jsonw_bool(ike_jsonw *w, const char *key, bool val);
void ike_jsonw_hex(ike_jsonw *w, const char *key, const uint8_t *p, size_t n);
/* "0123456789abcdef" style 16-digit SPI */
void ike_jsonw_spi(ike_jsonw *w, const char *key, uint64_t spi);
/* Appends `"key":` followed by raw JSON text (an array or object the caller built). */
void ike_jsonw_raw(ike_jsonw *w, const char *key, const char *json);

#endif
