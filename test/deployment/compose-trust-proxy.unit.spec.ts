// Reads docker-compose.yml as data (no container engine here): the api believes X-Forwarded-For from Traefik only.
import { readFileSync } from 'node:fs';
import { BlockList } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const compose = parse(readFileSync(fileURLToPath(new URL('../../docker-compose.yml', import.meta.url)), 'utf8'));

describe('docker-compose.yml: proxy trust', () => {
  it("trusts exactly Traefik's fixed address on the edge network, inside that network's subnet", () => {
    const traefikAddress = compose.services.traefik.networks.edge.ipv4_address;
    expect(compose.services.api.environment.TRUST_PROXY).toBe(traefikAddress);
    const [subnet] = compose.networks.edge.ipam.config.map((c: { subnet: string }) => c.subnet);
    const [network, prefix] = subnet.split('/');
    const edge = new BlockList();
    edge.addSubnet(network, Number(prefix));
    expect(edge.check(traefikAddress)).toBe(true);
    expect(Object.keys(compose.services.traefik.networks)).toEqual(['edge']);
  });
});
