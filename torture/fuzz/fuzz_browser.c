/*
 * Browser payloads.  Byte 0 picks the layout (\MAILSLOT\BROWSE or
 * \MAILSLOT\LANMAN); decode -> encode -> decode stable, and the
 * printing helpers never emit a control character.
 */
#include <stdlib.h>
#include <string.h>

#include "browser/browser.h"
#include "fuzz.h"

static void check_printable(const char *s, const char *what)
{
	for (size_t i = 0; s[i] != '\0'; i++)
		fuzz_check((unsigned char)s[i] >= 0x20 &&
			   (unsigned char)s[i] != 0x7f, what);
}

static void print_all(const struct browser_msg *m)
{
	char text[1024];

	browser_string_escape(&m->ann.server_name, text, sizeof(text));
	check_printable(text, "browser: control character in server name");
	browser_string_escape(&m->ann.comment, text, sizeof(text));
	check_printable(text, "browser: control character in comment");
	browser_string_escape(&m->election.server_name, text, sizeof(text));
	check_printable(text, "browser: control character in election");
	browser_string_escape(&m->name, text, sizeof(text));
	check_printable(text, "browser: control character in name");
	for (size_t i = 0; i < m->backup.count && i < BROWSER_BACKUP_MAX; i++) {
		browser_string_escape(&m->backup.servers[i], text,
				      sizeof(text));
		check_printable(text, "browser: control character in backup");
	}
	browser_server_type_string(m->ann.server_type, text, sizeof(text));
	browser_criteria_string(m->election.criteria, text, sizeof(text));
	(void)browser_opcode_name(m->opcode);
}

int fuzz_browser(const uint8_t *data, size_t size)
{
	static const char *const slots[] = { "\\MAILSLOT\\BROWSE",
					     "\\MAILSLOT\\LANMAN" };
	struct browser_msg m1, m2;
	enum browser_layout layout;
	uint8_t *b1 = NULL, *b2 = NULL;
	size_t len, used1, used2 = 0;

	if (size < 1)
		return 0;
	layout = browser_layout_for_slot(slots[data[0] & 1],
					 strlen(slots[data[0] & 1]));
	if (browser_decode(data + 1, size - 1, layout, &m1) != CODEC_OK)
		return 0;
	print_all(&m1);
	len = browser_encoded_len(&m1);
	if (len == 0)
		return 0;
	b1 = malloc(len);
	b2 = malloc(len);
	fuzz_check(b1 != NULL && b2 != NULL, "browser: malloc");
	if (browser_encode(&m1, b1, len, &used1) != CODEC_OK)
		goto done;
	fuzz_check(used1 == len, "browser: encoded_len disagrees");
	fuzz_check(browser_decode(b1, used1, layout, &m2) == CODEC_OK,
		   "browser: our encoding does not decode");
	fuzz_check(m1.opcode == m2.opcode, "browser: opcode changed");
	fuzz_check(browser_encoded_len(&m2) == len &&
		   browser_encode(&m2, b2, len, &used2) == CODEC_OK,
		   "browser: re-encode failed");
	fuzz_check_same(b1, used1, b2, used2, "browser: encoding not stable");
done:
	free(b1);
	free(b2);
	return 0;
}
