import { CreateSecurityGroupCommand, CreateVpcEndpointCommand, type EC2Client } from '@aws-sdk/client-ec2';

/**
 * What GuardDuty Runtime Monitoring adds to a VPC with Fargate tasks, made through the EC2 API as GuardDuty makes
 * it: a security group `GuardDutyManagedSecurityGroup-<vpc>` and an Interface endpoint to
 * `com.amazonaws.<region>.guardduty-data` in the given subnets with that group, both tagged GuardDutyManaged=true and
 * not with any stack's tags.
 */
export async function addGuardDuty(ec2: EC2Client, region: string, vpcId: string, subnets: string[] = []): Promise<{ endpointId: string; groupId: string; state: string }> {
  const tags = [{ Key: 'GuardDutyManaged', Value: 'true' }];
  const groupId =
    (
      await ec2.send(
        new CreateSecurityGroupCommand({
          GroupName: `GuardDutyManagedSecurityGroup-${vpcId}`,
          Description: `Associated with VPC-${vpcId} and tagged as GuardDutyManaged`,
          VpcId: vpcId,
          TagSpecifications: [{ ResourceType: 'security-group', Tags: tags }],
        }),
      )
    ).GroupId ?? '';
  const made = (
    await ec2.send(
      new CreateVpcEndpointCommand({
        VpcId: vpcId,
        ServiceName: `com.amazonaws.${region}.guardduty-data`,
        VpcEndpointType: 'Interface',
        SubnetIds: subnets,
        SecurityGroupIds: [groupId],
        PrivateDnsEnabled: true,
        TagSpecifications: [{ ResourceType: 'vpc-endpoint', Tags: tags }],
      }),
    )
  ).VpcEndpoint;
  return { endpointId: made?.VpcEndpointId ?? '', groupId, state: String(made?.State ?? '') };
}
