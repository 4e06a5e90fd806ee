/*
 * The whole receive-and-print path, as `mailslot decode` walks a capture:
 * Ethernet frame -> UDP payload -> NBT datagram -> reassembly ->
 * SMB mailslot write -> tshark-named fields, and the payload codecs by
 * mailslot name.  Input: frames as [length u16 BE][frame], 1 ms apart
 * per frame.  Every printed value must be free of control characters.
 */
#include <string.h>
#include <strings.h>
#include <talloc.h>

#include "browser/browser.h"
#include "fuzz.h"
#include "messenger/messenger.h"
#include "nbt/nbt_frag.h"
#include "nbt/nbt_ns.h"
#include "smb/smb_mailslot.h"
#include "tools/dgram_fields.h"
#include "tools/pcap_frame.h"

static void check_field(void *priv, const char *field, const char *value)
{
	for (size_t i = 0; value[i] != '\0'; i++)
		fuzz_check((unsigned char)value[i] >= 0x20 &&
			   (unsigned char)value[i] != 0x7f,
			   "frame: control character in a printed field");
}

static void payload(TALLOC_CTX *mem, const struct smb_mailslot_write *w)
{
	struct browser_msg bm;
	struct messenger_msg mm;
	char *s;

	if (smb_mailslot_name_equal(w->name, w->name_len, MESSENGER_MAILSLOT,
				    strlen(MESSENGER_MAILSLOT))) {
		if (messenger_decode(w->data, w->data_len, &mm) != CODEC_OK)
			return;
		s = messenger_summary(mem, &mm, NULL);
		fuzz_check(s != NULL, "frame: messenger summary");
		check_field(NULL, "messenger", s);
		return;
	}
	(void)browser_decode(w->data, w->data_len,
			     browser_layout_for_slot(w->name, w->name_len),
			     &bm);
}

static void datagram(TALLOC_CTX *mem, struct nbt_reasm *r,
		     const struct nbt_dgram *d)
{
	struct smb_mailslot_write w;
	bool have_w;

	have_w = nbt_dgram_type_is_data(d->type) &&
		 smb_mailslot_decode(d->user_data, d->user_data_len, &w) ==
			 CODEC_OK;
	dgram_fields_emit(d, have_w ? &w : NULL, check_field, NULL);
	if (have_w)
		payload(mem, &w);
}

static void one_frame(TALLOC_CTX *mem, struct nbt_reasm *r, uint64_t now,
		      const uint8_t *frame, size_t len)
{
	static struct nbt_ns_packet ns;
	struct udp_endpoints ep;
	const uint8_t *p;
	size_t plen;
	struct nbt_dgram d, *whole = NULL;
	char text[NBT_NAME_TEXT_MAX];

	if (!pcap_frame_udp_payload(frame, len, &ep, &p, &plen))
		return;
	fuzz_check(p >= frame && p + plen <= frame + len,
		   "frame: UDP payload outside the frame");
	if (ep.dst_port == 137 || ep.src_port == 137) {
		if (nbt_ns_decode(p, plen, &ns) == CODEC_OK &&
		    ns.has_question) {
			nbt_name_format(&ns.question_name, text, sizeof(text));
			check_field(NULL, "ns", text);
		}
		return;
	}
	if (nbt_dgram_decode(p, plen, &d) != CODEC_OK)
		return;
	if (!nbt_dgram_type_is_data(d.type) || !nbt_dgram_is_fragment(&d)) {
		datagram(mem, r, &d);
		return;
	}
	if (nbt_reasm_add(r, &d, now, mem, &whole) == CODEC_OK && whole)
		datagram(mem, r, whole);
}

int fuzz_frame(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct nbt_reasm *r = nbt_reasm_create(mem, NULL);
	uint64_t now = 0;
	size_t pos = 0;

	fuzz_check(mem != NULL && r != NULL, "frame: talloc");
	while (size - pos >= 2) {
		size_t len = ((size_t)data[pos] << 8) | data[pos + 1];

		pos += 2;
		if (len > size - pos)
			len = size - pos;
		one_frame(mem, r, ++now, data + pos, len);
		pos += len;
	}
	talloc_free(mem);
	return 0;
}
