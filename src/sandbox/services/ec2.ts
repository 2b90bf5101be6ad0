import type { SandboxService } from '../service.js';
import { addressHandlers, installNatGateways, internetGatewayHandlers, natGatewayHandlers } from './ec2/gateways.js';
import { networkInterfaceHandlers } from './ec2/network-interfaces.js';
import { networkInterfaceWriteHandlers } from './ec2/network-interface-writes.js';
import { ec2ReadHandlers } from './ec2/reads.js';
import { reconcileRouteStates, routeTableHandlers } from './ec2/routes.js';
import { securityGroupHandlers } from './ec2/security-groups.js';
import { tagHandlers } from './ec2/tags.js';
import { subnetHandlers, vpcHandlers } from './ec2/vpcs.js';
import { zoneHandlers } from './ec2/zones.js';
import { installVpcEndpoints, vpcEndpointHandlers } from './ec2/vpc-endpoints.js';

/**
 * EC2: the VPC networking the provisioner builds (VPC, subnets, internet gateway, Elastic IP, NAT gateway, route
 * tables, security groups), VPC endpoints, and the network interfaces other services leave in it. The promises are in
 * docs/sandbox/ec2.md.
 */
export const ec2: SandboxService = {
  name: 'ec2',
  protocol: 'ec2',
  version: '2016-11-15',
  xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/',
  loadClient: () => import('@aws-sdk/client-ec2') as Promise<Record<string, unknown>>,
  handlers: {
    ...vpcHandlers,
    ...subnetHandlers,
    ...zoneHandlers,
    ...internetGatewayHandlers,
    ...addressHandlers,
    ...natGatewayHandlers,
    ...routeTableHandlers,
    ...securityGroupHandlers,
    ...networkInterfaceHandlers,
    ...tagHandlers,
    ...networkInterfaceWriteHandlers,
    ...ec2ReadHandlers,
    ...vpcEndpointHandlers,
  },
  install: (world) => {
    installNatGateways(world);
    installVpcEndpoints(world);
    world.addReconciler(reconcileRouteStates);
  },
};
