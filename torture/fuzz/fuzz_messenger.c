/*
 * Messenger (NET SEND) payloads: decode -> encode -> decode stable when
 * encodable, and the display forms (summary, JSON, escapes) never carry
 * a control character.
 */
#include <string.h>
#include <talloc.h>

#include "fuzz.h"
#include "messenger/messenger.h"

static void check_no_controls(const char *s, bool allow_newline,
			      const char *what)
{
	fuzz_check(s != NULL, what);
	for (size_t i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];
		if (allow_newline && c == '\n')
			continue;
		fuzz_check(c >= 0x20 && c != 0x7f, what);
	}
}

int fuzz_messenger(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct messenger_msg m1, m2;
	struct messenger_json *j;
	uint8_t b1[1024], b2[1024];
	size_t used1, used2;
	char *s;

	fuzz_check(mem != NULL, "messenger: talloc");
	if (messenger_decode(data, size, &m1) != CODEC_OK)
		goto done;
	s = messenger_summary(mem, &m1, NULL);
	check_no_controls(s, false, "messenger: control in summary");
	j = messenger_to_json_struct(mem, &m1, NULL);
	fuzz_check(j != NULL, "messenger: json struct");
	s = messenger_json_object(mem, j);
	check_no_controls(s, false, "messenger: control in JSON");
	s = messenger_escape(mem, m1.text, m1.text_len, true);
	check_no_controls(s, true, "messenger: control in escaped text");
	s = messenger_linebreaks(mem, m1.text, m1.text_len, MESSENGER_LB_CRLF,
				 &used1);
	fuzz_check(s != NULL, "messenger: linebreaks");

	if (m1.text_unterminated || m1.trailing_len != 0 ||
	    messenger_encoded_len(&m1) > sizeof(b1) ||
	    messenger_encode(&m1, b1, sizeof(b1), &used1) != CODEC_OK)
		goto done;
	fuzz_check(messenger_decode(b1, used1, &m2) == CODEC_OK,
		   "messenger: our encoding does not decode");
	fuzz_check(m1.from_len == m2.from_len && m1.to_len == m2.to_len &&
		   m1.text_len == m2.text_len &&
		   memcmp(m1.from, m2.from, m1.from_len) == 0 &&
		   memcmp(m1.to, m2.to, m1.to_len) == 0 &&
		   (m1.text_len == 0 ||
		    memcmp(m1.text, m2.text, m1.text_len) == 0),
		   "messenger: round trip changed the message");
	fuzz_check(messenger_encode(&m2, b2, sizeof(b2), &used2) == CODEC_OK,
		   "messenger: re-encode failed");
	fuzz_check_same(b1, used1, b2, used2, "messenger: encoding not stable");
done:
	talloc_free(mem);
	return 0;
}
