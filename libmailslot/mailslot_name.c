#include <string.h>
#include <strings.h>

#include "mailslot_name.h"

static const char mailslot_word[] = "mailslot";

static char ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Characters Windows refuses in a file name component. */
static bool component_char_ok(unsigned char c)
{
	if (c < 0x20 || c == 0x7f)
		return false;
	return strchr("/:*?\"<>|", c) == NULL;
}

/* "a\b\c": components non-empty, characters allowed. */
static bool path_ok(const char *path)
{
	size_t comp = 0;

	for (const char *p = path;; p++) {
		if (*p == '\\' || *p == '\0') {
			if (comp == 0)
				return false;
			if (*p == '\0')
				return true;
			comp = 0;
			continue;
		}
		if (!component_char_ok((unsigned char)*p))
			return false;
		comp++;
	}
}

static bool server_ok(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!component_char_ok((unsigned char)s[i]) &&
		    !(len == 1 && s[i] == '*'))
			return false;
	}
	return true;
}

/* Only [a-z0-9_-] survive as is, so no entry can be "..", hold a '/'... */
static char *entry_escape(TALLOC_CTX *mem_ctx, const char *folded_path)
{
	static const char hex[] = "0123456789abcdef";
	size_t len = strlen(folded_path);
	char *out = talloc_array(mem_ctx, char, len * 3 + 1);
	size_t o = 0;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)folded_path[i];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '-') {
			out[o++] = (char)c;
			continue;
		}
		out[o++] = '%';
		out[o++] = hex[c >> 4];
		out[o++] = hex[c & 15];
	}
	out[o] = '\0';
	return out;
}

enum mailslot_error mailslot_name_parse(TALLOC_CTX *mem_ctx, const char *text,
					struct mailslot_name **pname)
{
	struct mailslot_name *n;
	const char *server, *slash, *rest;
	size_t server_len, word = sizeof(mailslot_word) - 1;

	if (text == NULL || text[0] == '\0')
		return MAILSLOT_ERROR_PATH_NOT_FOUND;
	if (strncmp(text, "\\\\", 2) != 0)
		return MAILSLOT_ERROR_INVALID_NAME;
	server = text + 2;
	slash = strchr(server, '\\');
	if (slash == NULL)
		return MAILSLOT_ERROR_INVALID_NAME;
	server_len = (size_t)(slash - server);
	if (!server_ok(server, server_len))
		return MAILSLOT_ERROR_INVALID_NAME;
	rest = slash + 1;
	if (strncasecmp(rest, mailslot_word, word) != 0)
		return MAILSLOT_ERROR_INVALID_NAME;
	rest += word;
	if (*rest == '\0')
		return MAILSLOT_ERROR_PATH_NOT_FOUND;
	if (*rest != '\\')
		return MAILSLOT_ERROR_INVALID_NAME;
	rest++;
	if (*rest == '\0')
		return MAILSLOT_ERROR_PATH_NOT_FOUND;
	if (!path_ok(rest))
		return MAILSLOT_ERROR_INVALID_NAME;

	n = talloc_zero(mem_ctx, struct mailslot_name);
	if (n == NULL)
		return MAILSLOT_ERROR_NOT_ENOUGH_MEMORY;
	n->server = talloc_strndup(n, server, server_len);
	n->path = talloc_strdup(n, rest);
	n->folded = talloc_asprintf(n, "\\\\.\\mailslot\\%s", rest);
	if (n->server == NULL || n->path == NULL || n->folded == NULL)
		goto nomem;
	if (strcmp(n->server, ".") == 0)
		n->kind = MAILSLOT_NAME_LOCAL;
	else if (strcmp(n->server, "*") == 0)
		n->kind = MAILSLOT_NAME_BROADCAST;
	else
		n->kind = MAILSLOT_NAME_REMOTE;
	for (char *p = n->folded; *p; p++)
		*p = ascii_lower(*p);
	n->entry = entry_escape(n, n->folded + strlen("\\\\.\\mailslot\\"));
	if (n->entry == NULL)
		goto nomem;
	if (strlen(n->entry) > MAILSLOT_ENTRY_MAX) {
		talloc_free(n);
		return MAILSLOT_ERROR_FILENAME_EXCED_RANGE;
	}
	*pname = n;
	return MAILSLOT_OK;
nomem:
	talloc_free(n);
	return MAILSLOT_ERROR_NOT_ENOUGH_MEMORY;
}
