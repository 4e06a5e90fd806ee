/* Win32 error names and sentences for the values libmailslot returns. */
#include "mailslot.h"

struct error_text {
	enum mailslot_error err;
	const char *name;
	const char *text;
};

static const struct error_text error_texts[] = {
	{ MAILSLOT_OK, "ERROR_SUCCESS",
	  "The operation completed successfully." },
	{ MAILSLOT_ERROR_FILE_NOT_FOUND, "ERROR_FILE_NOT_FOUND",
	  "No mailslot with that name exists." },
	{ MAILSLOT_ERROR_PATH_NOT_FOUND, "ERROR_PATH_NOT_FOUND",
	  "No mailslot name was given, or the runtime directory is missing." },
	{ MAILSLOT_ERROR_ACCESS_DENIED, "ERROR_ACCESS_DENIED",
	  "Access is denied: wrong kind of handle, or no permission." },
	{ MAILSLOT_ERROR_INVALID_HANDLE, "ERROR_INVALID_HANDLE",
	  "The handle is invalid." },
	{ MAILSLOT_ERROR_NOT_ENOUGH_MEMORY, "ERROR_NOT_ENOUGH_MEMORY",
	  "Not enough memory is available." },
	{ MAILSLOT_ERROR_NOT_SUPPORTED, "ERROR_NOT_SUPPORTED",
	  "Remote mailslots need the mailslot daemon, which is not "
	  "available yet." },
	{ MAILSLOT_ERROR_INVALID_PARAMETER, "ERROR_INVALID_PARAMETER",
	  "A parameter is invalid (for example a message larger than the "
	  "mailslot's maximum message size)." },
	{ MAILSLOT_ERROR_BROKEN_PIPE, "ERROR_BROKEN_PIPE",
	  "The mailslot's server has gone away." },
	{ MAILSLOT_ERROR_SEM_TIMEOUT, "ERROR_SEM_TIMEOUT",
	  "No message arrived before the read timeout." },
	{ MAILSLOT_ERROR_INSUFFICIENT_BUFFER, "ERROR_INSUFFICIENT_BUFFER",
	  "The buffer is smaller than the next message, which stays queued." },
	{ MAILSLOT_ERROR_INVALID_NAME, "ERROR_INVALID_NAME",
	  "The mailslot name is not of the form \\\\.\\mailslot\\[path\\]name." },
	{ MAILSLOT_ERROR_ALREADY_EXISTS, "ERROR_ALREADY_EXISTS",
	  "A mailslot with that name already exists." },
	{ MAILSLOT_ERROR_FILENAME_EXCED_RANGE, "ERROR_FILENAME_EXCED_RANGE",
	  "The mailslot name is too long." },
	{ MAILSLOT_ERROR_NOT_ENOUGH_QUOTA, "ERROR_NOT_ENOUGH_QUOTA",
	  "The mailslot's queue is full (its byte or message quota); "
	  "nothing was queued." },
	{ MAILSLOT_ERROR_INTERNAL_ERROR, "ERROR_INTERNAL_ERROR",
	  "The mailslot's shared state is damaged or a system call failed." },
	{ MAILSLOT_ERROR_BAD_NETPATH, "ERROR_BAD_NETPATH",
	  "The network path was not found: the message is over the 512-byte "
	  "SMB budget (424 bytes for a 5-8 character name), or no host "
	  "answered for that name." },
	{ MAILSLOT_ERROR_SERVICE_NOT_ACTIVE, "ERROR_SERVICE_NOT_ACTIVE",
	  "mailslotd is not running: start it for remote mailslots, or use "
	  "standalone sending." },
};

static const struct error_text *error_find(enum mailslot_error err)
{
	for (size_t i = 0; i < sizeof(error_texts) / sizeof(error_texts[0]);
	     i++) {
		if (error_texts[i].err == err)
			return &error_texts[i];
	}
	return NULL;
}

const char *mailslot_error_name(enum mailslot_error err)
{
	const struct error_text *t = error_find(err);

	return t ? t->name : "ERROR_UNKNOWN";
}

const char *mailslot_error_string(enum mailslot_error err)
{
	const struct error_text *t = error_find(err);

	return t ? t->text : "Unknown error.";
}
