-- AlterEnum
ALTER TYPE "FunctionArea" ADD VALUE 'customer_success';
