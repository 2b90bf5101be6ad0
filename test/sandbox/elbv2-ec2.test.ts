import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateSecurityGroupCommand,
  DetachInternetGatewayCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DescribeNetworkInterfacesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { CreateLoadBalancerCommand, DeleteLoadBalancerCommand, DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateDBInstanceCommand, CreateDBSubnetGroupCommand, RDSClient } from '@aws-sdk/client-rds';
import { CreateCacheSubnetGroupCommand, CreateReplicationGroupCommand, ElastiCacheClient } from '@aws-sdk/client-elasticache';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, control, eventually, sandbox } from './helpers.js';

describe('sandbox ELBv2, RDS and ElastiCache on a network built through the EC2 API', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await sandbox();
  });
  after(async () => {
    await sb.close();
  });

  it('places their interfaces in EC2 subnets, where EC2 sees them and they block deletes until they are gone', async () => {
    const cfg = clientConfig(sb, { maxAttempts: 1 });
    const ec2 = new EC2Client(cfg);
    const elb = new ElasticLoadBalancingV2Client(cfg);
    const rds = new RDSClient(cfg);
    const cache = new ElastiCacheClient(cfg);

    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }))).Vpc?.VpcId ?? '';
    const subnet = async (cidr: string, az: string) =>
      (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: az }))).Subnet?.SubnetId ?? '';
    const publicSubnets = [await subnet('10.9.0.0/24', 'us-east-1a'), await subnet('10.9.1.0/24', 'us-east-1b')];
    const privateSubnets = [await subnet('10.9.10.0/24', 'us-east-1a'), await subnet('10.9.11.0/24', 'us-east-1b')];
    const sg = async (name: string) => (await ec2.send(new CreateSecurityGroupCommand({ GroupName: name, Description: name, VpcId: vpcId }))).GroupId ?? '';
    const albSg = await sg('alb');
    const dataSg = await sg('data');

    // Internet-facing needs the VPC's internet gateway: refused before it is attached (an internal one is not).
    await assert.rejects(elb.send(new CreateLoadBalancerCommand({ Name: 'early-alb', Subnets: publicSubnets, SecurityGroups: [albSg] })), (e: Error) => {
      assert.equal(e.name, 'InvalidSubnetException');
      assert.equal(e.message, `VPC ${vpcId} has no internet gateway`);
      return true;
    });
    const internalArn =
      (await elb.send(new CreateLoadBalancerCommand({ Name: 'inner-alb', Scheme: 'internal', Subnets: privateSubnets, SecurityGroups: [albSg] }))).LoadBalancers?.[0]?.LoadBalancerArn ?? '';
    assert.ok(internalArn);
    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: internalArn }));
    const igwId = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway?.InternetGatewayId ?? '';
    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));

    const lbArn =
      (await elb.send(new CreateLoadBalancerCommand({ Name: 'net-alb', Subnets: publicSubnets, SecurityGroups: [albSg] }))).LoadBalancers?.[0]
        ?.LoadBalancerArn ?? '';
    await rds.send(new CreateDBSubnetGroupCommand({ DBSubnetGroupName: 'net-db', DBSubnetGroupDescription: 'db', SubnetIds: privateSubnets }));
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'net-db',
        Engine: 'postgres',
        EngineVersion: '17',
        DBInstanceClass: 'db.t4g.micro',
        AllocatedStorage: 20,
        MasterUsername: 'app',
        ManageMasterUserPassword: true,
        DBSubnetGroupName: 'net-db',
        VpcSecurityGroupIds: [dataSg],
      }),
    );
    await cache.send(new CreateCacheSubnetGroupCommand({ CacheSubnetGroupName: 'net-cache', CacheSubnetGroupDescription: 'cache', SubnetIds: privateSubnets }));
    await cache.send(
      new CreateReplicationGroupCommand({
        ReplicationGroupId: 'net-cache',
        ReplicationGroupDescription: 'cache',
        CacheNodeType: 'cache.t4g.micro',
        CacheSubnetGroupName: 'net-cache',
        SecurityGroupIds: [dataSg],
      }),
    );

    const enis = (await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))).NetworkInterfaces ?? [];
    // The internal load balancer made and deleted above leaves its own interfaces lingering: count net-alb's.
    const by = (requester: string) => enis.filter((e) => e.RequesterId === requester && (requester !== 'amazon-elb' || e.Description?.startsWith('ELB app/net-alb/')));
    assert.equal(by('amazon-elb').length, 2);
    assert.equal(by('amazon-rds').length, 1);
    assert.equal(by('amazon-elasticache').length, 1);
    assert.ok(enis.filter((e) => !e.Description?.startsWith('ELB app/inner-alb/')).every((e) => e.RequesterManaged === true && e.Status === 'in-use'));
    assert.ok(by('amazon-elb').every((e) => e.Groups?.[0]?.GroupId === albSg && e.Association?.PublicIp));
    assert.ok(by('amazon-elb').every((e) => e.Description?.startsWith('ELB app/net-alb/')));

    // The ALB's interfaces keep the public subnets and their group busy, even after the ALB is gone, until they go.
    await control(sb, 'POST', '/_sandbox/faults', { eniLingerMs: 3_000 });
    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lbArn }));
    await eventually(
      () => elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [lbArn] })).then(() => undefined, (e: Error) => (e.name === 'LoadBalancerNotFoundException' ? true : undefined)),
      10_000,
      'the load balancer to go',
    );
    await assert.rejects(ec2.send(new DeleteSubnetCommand({ SubnetId: publicSubnets[0] })), (e: Error) => e.name === 'DependencyViolation');
    await assert.rejects(ec2.send(new DeleteSecurityGroupCommand({ GroupId: albSg })), (e: Error) => e.name === 'DependencyViolation');
    // They keep their public addresses while they linger: the internet gateway cannot be detached yet.
    const lingering = (await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'description', Values: ['ELB app/net-alb/*'] }, { Name: 'vpc-id', Values: [vpcId] }] }))).NetworkInterfaces ?? [];
    assert.equal(lingering.length, 2);
    assert.ok(lingering.every((e) => e.Association?.PublicIp), 'the lingering interfaces still map public addresses');
    await assert.rejects(ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId })), (e: Error) => {
      assert.equal(e.name, 'DependencyViolation');
      assert.equal(e.message, `Network ${vpcId} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.`);
      return true;
    });
    await eventually(
      () => ec2.send(new DeleteSubnetCommand({ SubnetId: publicSubnets[0] })).then(() => true, (e: Error) => (e.name === 'DependencyViolation' ? undefined : Promise.reject(e))),
      10_000,
      'the subnet to be free',
    );
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: albSg }));
    await ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
    await control(sb, 'POST', '/_sandbox/faults', { eniLingerMs: null });
  });
});
