package config

import (
	"fmt"
	"net/netip"
	"strings"
)

// parsePrefixes reads comma-separated CIDRs into dst; a bare IP address is
// a prefix of its own full length.
func parsePrefixes(dst *[]netip.Prefix, v string) error {
	*dst = nil
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			addr, aerr := netip.ParseAddr(s)
			if aerr != nil {
				return fmt.Errorf("%q is not a CIDR such as 10.0.0.0/8 or an IP address", s)
			}
			p = netip.PrefixFrom(addr, addr.BitLen())
		}
		*dst = append(*dst, p.Masked())
	}
	return nil
}
