/*
 * Building text by hand for the summaries every codec and the decoder
 * print per message: snprintf per piece was most of their time.
 */
#ifndef MAILSLOT_NBT_CODEC_TEXT_H
#define MAILSLOT_NBT_CODEC_TEXT_H

#include <stddef.h>
#include <string.h>

/*
 * s[0..len) appended at buf + n as snprintf would go on there: the text
 * cut to buflen - 1 bytes in all and NUL-terminated (buflen > 0).
 * Returns n + len, the length the whole text would have.
 */
static inline size_t codec_text_put(char *buf, size_t buflen, size_t n,
				    const char *s, size_t len)
{
	if (n + 1 < buflen) {
		size_t k = buflen - 1 - n;

		if (k > len)
			k = len;
		memcpy(buf + n, s, k);
		buf[n + k] = '\0';
	}
	return n + len;
}

static inline size_t codec_text_str(char *buf, size_t buflen, size_t n,
				    const char *s)
{
	return codec_text_put(buf, buflen, n, s, strlen(s));
}

#endif
