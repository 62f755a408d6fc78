/*
 * dnsd: a tiny DNS server for the network tests, on the host's loopback.
 *
 *   dnsd ADDR PORT NAME IPV4     answer A queries for NAME with IPV4,
 *                                NXDOMAIN for anything else
 *
 * It prints "ready" once bound, answers until killed, and never sends to
 * anyone but the address a query came from. Only what the tests need:
 * one question, class IN, no compression in the question.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

/* The question's name as dotted text; returns the offset after QTYPE/QCLASS. */
static size_t qname(const unsigned char *p, size_t len, char *out, size_t cap)
{
	size_t i = 12, o = 0;

	while (i < len && p[i] != 0) {
		size_t l = p[i++];
		if (l > 63 || i + l > len || o + l + 2 > cap)
			return 0;
		if (o > 0)
			out[o++] = '.';
		for (size_t k = 0; k < l; k++)
			out[o++] = (char)tolower(p[i + k]);
		i += l;
	}
	out[o] = '\0';
	return i + 5 <= len ? i + 5 : 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct in_addr answer;
	int s;

	if (argc != 5 || inet_pton(AF_INET, argv[1], &a.sin_addr) != 1 ||
	    inet_pton(AF_INET, argv[4], &answer) != 1) {
		fprintf(stderr, "usage: dnsd ADDR PORT NAME IPV4\n");
		return 2;
	}
	a.sin_port = htons((unsigned short)atoi(argv[2]));
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("dnsd: bind");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		unsigned char q[512], r[600];
		char name[256];
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(s, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);
		size_t end;
		int hit, qtype;

		if (n < 17)
			continue;
		end = qname(q, (size_t)n, name, sizeof(name));
		if (end == 0)
			continue;
		qtype = q[end - 4] << 8 | q[end - 3];
		hit = strcasecmp(name, argv[3]) == 0;
		memcpy(r, q, end);
		r[2] = 0x81;                        /* response, recursion desired */
		r[3] = hit ? 0x80 : 0x83;           /* recursion available; NXDOMAIN */
		r[4] = 0, r[5] = 1;                 /* one question */
		r[6] = 0, r[7] = (hit && qtype == 1) ? 1 : 0;
		memset(r + 8, 0, 4);
		if (hit && qtype == 1) {
			unsigned char rr[] = { 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4 };
			memcpy(r + end, rr, sizeof(rr));
			memcpy(r + end + sizeof(rr), &answer, 4);
			end += sizeof(rr) + 4;
		}
		sendto(s, r, end, 0, (struct sockaddr *)&from, fl);
	}
}
