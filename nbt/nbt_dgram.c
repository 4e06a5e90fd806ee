#include <string.h>

#include "byteorder.h"
#include "nbt_dgram.h"

bool nbt_dgram_type_is_data(uint8_t type)
{
	return type >= NBT_DGRAM_DIRECT_UNIQUE && type <= NBT_DGRAM_BROADCAST;
}

static bool type_has_dest_only(uint8_t type)
{
	return type >= NBT_DGRAM_QUERY_REQUEST &&
	       type <= NBT_DGRAM_NEGATIVE_QUERY_RESPONSE;
}

const char *nbt_dgram_type_name(uint8_t type)
{
	switch (type) {
	case NBT_DGRAM_DIRECT_UNIQUE: return "DIRECT_UNIQUE";
	case NBT_DGRAM_DIRECT_GROUP: return "DIRECT_GROUP";
	case NBT_DGRAM_BROADCAST: return "BROADCAST";
	case NBT_DGRAM_ERROR: return "ERROR";
	case NBT_DGRAM_QUERY_REQUEST: return "QUERY_REQUEST";
	case NBT_DGRAM_POSITIVE_QUERY_RESPONSE: return "POSITIVE_QUERY_RESPONSE";
	case NBT_DGRAM_NEGATIVE_QUERY_RESPONSE: return "NEGATIVE_QUERY_RESPONSE";
	}
	return "UNKNOWN";
}

const char *nbt_dgram_error_code_name(uint8_t code)
{
	switch (code) {
	case NBT_DGRAM_ERR_NAME_NOT_PRESENT: return "DESTINATION_NAME_NOT_PRESENT";
	case NBT_DGRAM_ERR_INVALID_SOURCE: return "INVALID_SOURCE_NAME_FORMAT";
	case NBT_DGRAM_ERR_INVALID_DESTINATION: return "INVALID_DESTINATION_NAME_FORMAT";
	}
	return "UNKNOWN";
}

void nbt_dgram_init(struct nbt_dgram *d, uint8_t type, uint8_t node_type,
		    uint16_t id, uint32_t src_ip, uint16_t src_port)
{
	memset(d, 0, sizeof(*d));
	d->type = type;
	d->flags = NBT_DGRAM_FLAG_FIRST | (node_type & NBT_DGRAM_NODE_MASK);
	d->id = id;
	d->src_ip = src_ip;
	d->src_port = src_port;
}

size_t nbt_dgram_computed_length(const struct nbt_dgram *d)
{
	return nbt_name_encoded_len(&d->source) +
	       nbt_name_encoded_len(&d->dest) + d->user_data_len;
}

size_t nbt_dgram_encoded_len(const struct nbt_dgram *d)
{
	if (nbt_dgram_type_is_data(d->type))
		return NBT_DGRAM_HEADER_LEN + nbt_dgram_computed_length(d);
	if (d->type == NBT_DGRAM_ERROR)
		return NBT_DGRAM_ERROR_LEN;
	return NBT_DGRAM_PREFIX_LEN + nbt_name_encoded_len(&d->dest);
}

static void prefix_encode(const struct nbt_dgram *d, uint8_t *buf)
{
	buf[0] = d->type;
	buf[1] = d->flags;
	put_be16(buf + 2, d->id);
	put_be32(buf + 4, d->src_ip);
	put_be16(buf + 8, d->src_port);
}

enum codec_error nbt_dgram_encode(const struct nbt_dgram *d, uint8_t *buf,
				  size_t buflen, size_t *used)
{
	size_t need, pos, n;
	enum codec_error err;

	if (d == NULL || buf == NULL)
		return CODEC_ERR_INVALID_ARGUMENT;
	if (!nbt_dgram_type_is_data(d->type) && d->type != NBT_DGRAM_ERROR &&
	    !type_has_dest_only(d->type))
		return CODEC_ERR_DGRAM_UNKNOWN_TYPE;
	if (d->user_data_len > 0 && d->user_data == NULL)
		return CODEC_ERR_INVALID_ARGUMENT;
	need = nbt_dgram_encoded_len(d);
	if (nbt_dgram_type_is_data(d->type) &&
	    nbt_dgram_computed_length(d) > UINT16_MAX)
		return CODEC_ERR_DGRAM_TOO_LARGE;
	if (buflen < need)
		return CODEC_ERR_BUFFER_TOO_SMALL;

	prefix_encode(d, buf);
	pos = NBT_DGRAM_PREFIX_LEN;
	if (d->type == NBT_DGRAM_ERROR) {
		buf[pos++] = d->error_code;
		goto done;
	}
	if (nbt_dgram_type_is_data(d->type)) {
		put_be16(buf + 10, (uint16_t)nbt_dgram_computed_length(d));
		put_be16(buf + 12, d->packet_offset);
		pos = NBT_DGRAM_HEADER_LEN;
		err = nbt_name_encode(&d->source, buf + pos, buflen - pos, &n);
		if (err != CODEC_OK)
			return err;
		pos += n;
	}
	err = nbt_name_encode(&d->dest, buf + pos, buflen - pos, &n);
	if (err != CODEC_OK)
		return err;
	pos += n;
	if (nbt_dgram_type_is_data(d->type) && d->user_data_len > 0) {
		/* USER_DATA may have been encoded in place already */
		if (d->user_data != buf + pos)
			memcpy(buf + pos, d->user_data, d->user_data_len);
		pos += d->user_data_len;
	}
done:
	if (used != NULL)
		*used = pos;
	return CODEC_OK;
}

enum codec_error nbt_dgram_decode(const uint8_t *buf, size_t len,
				  struct nbt_dgram *d)
{
	size_t pos, n;
	enum codec_error err;

	if (buf == NULL || d == NULL)
		return CODEC_ERR_INVALID_ARGUMENT;
	memset(d, 0, sizeof(*d));
	if (len < NBT_DGRAM_PREFIX_LEN)
		return CODEC_ERR_DGRAM_TRUNCATED_HEADER;
	d->type = buf[0];
	d->flags = buf[1];
	d->id = get_be16(buf + 2);
	d->src_ip = get_be32(buf + 4);
	d->src_port = get_be16(buf + 8);
	pos = NBT_DGRAM_PREFIX_LEN;

	if (d->type == NBT_DGRAM_ERROR) {
		if (len < NBT_DGRAM_ERROR_LEN)
			return CODEC_ERR_DGRAM_TRUNCATED_HEADER;
		d->error_code = buf[pos];
		return len == NBT_DGRAM_ERROR_LEN ? CODEC_OK
						  : CODEC_ERR_DGRAM_TRAILING_BYTES;
	}
	if (type_has_dest_only(d->type)) {
		err = nbt_name_decode(buf + pos, len - pos, &d->dest, &n);
		if (err != CODEC_OK)
			return err;
		return pos + n == len ? CODEC_OK : CODEC_ERR_DGRAM_TRAILING_BYTES;
	}
	if (!nbt_dgram_type_is_data(d->type))
		return CODEC_ERR_DGRAM_UNKNOWN_TYPE;

	if (len < NBT_DGRAM_HEADER_LEN)
		return CODEC_ERR_DGRAM_TRUNCATED_HEADER;
	d->dgm_length = get_be16(buf + 10);
	d->packet_offset = get_be16(buf + 12);
	pos = NBT_DGRAM_HEADER_LEN;
	err = nbt_name_decode(buf + pos, len - pos, &d->source, &n);
	if (err != CODEC_OK)
		return err;
	pos += n;
	err = nbt_name_decode(buf + pos, len - pos, &d->dest, &n);
	if (err != CODEC_OK)
		return err;
	pos += n;
	d->user_data = buf + pos;
	d->user_data_len = len - pos;
	return CODEC_OK;
}
