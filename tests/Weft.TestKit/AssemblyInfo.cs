namespace Weft.TestKit;
