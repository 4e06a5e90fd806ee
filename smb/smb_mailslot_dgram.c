#include "smb/smb_mailslot_dgram.h"

/* Header and both names of a data datagram: where USER_DATA starts. */
static size_t head_len(const struct nbt_dgram *d)
{
	return NBT_DGRAM_HEADER_LEN + nbt_name_encoded_len(&d->source) +
	       nbt_name_encoded_len(&d->dest);
}

size_t smb_mailslot_dgram_encoded_len(const struct nbt_dgram *d,
				      const struct smb_mailslot_write *w)
{
	return head_len(d) + smb_mailslot_encoded_len(w);
}

enum codec_error smb_mailslot_dgram_encode(struct nbt_dgram *d,
					   const struct smb_mailslot_write *w,
					   uint8_t *buf, size_t buflen,
					   size_t *used)
{
	size_t head, smb_len;
	enum codec_error err;

	if (d == NULL || w == NULL || buf == NULL)
		return CODEC_ERR_INVALID_ARGUMENT;
	if (!nbt_dgram_type_is_data(d->type))
		return CODEC_ERR_DGRAM_UNKNOWN_TYPE;
	head = head_len(d);
	if (buflen < head)
		return CODEC_ERR_BUFFER_TOO_SMALL;
	err = smb_mailslot_encode(w, buf + head, buflen - head, &smb_len);
	if (err != CODEC_OK)
		return err;
	/* nbt_dgram_encode() sees the SMB already in place and leaves it */
	d->user_data = buf + head;
	d->user_data_len = smb_len;
	return nbt_dgram_encode(d, buf, buflen, used);
}
